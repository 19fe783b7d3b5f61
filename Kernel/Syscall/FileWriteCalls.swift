/// Writing the open files of the root file system: `write`/`writev` to a file or device
/// (FileCalls routes them here), `pwrite64`, `preadv`/`pwritev`, `ftruncate`/`truncate`,
/// `fsync`/`fdatasync`. A regular file's bytes go into its object's frames (FileData).
enum FileWriteCalls {
  static var tree: FileTree { ProcessRunner.current!.fileSystem }

  /// Writes `count` user bytes to `open` at its offset (at the end with `O_APPEND`) and moves
  /// the offset past them.
  static func write(_ open: OpenNode, from buffer: UInt64, count: UInt64) throws(LinuxErrno)
    -> UInt64
  {
    if open.device == nil, open.appends { open.offset = open.tree.nodes[open.node].size }
    let written = try write(open, at: open.offset, from: buffer, count: count)
    if open.device == nil { open.offset += written }
    return written
  }

  /// Writes `open` at `offset` without moving its offset (`pwrite64`'s part): `/dev/null`,
  /// `/dev/zero` and the random devices take everything, `/dev/full` is ENOSPC, the terminal
  /// is the console.
  static func write(_ open: OpenNode, at offset: UInt64, from buffer: UInt64, count: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    guard open.writable else { throw .EBADF }
    guard UserPointer.passesAccessCheck(buffer, length: count) else { throw .EFAULT }
    let count = min(count, UserPointer.maximumTransfer)
    switch open.device {
    case .null, .zero, .random, .urandom: return count
    case .full: throw .ENOSPC
    case .console, .tty: return try FileCalls.writeConsole(from: buffer, count: count)
    case nil: break
    }
    guard open.tree.nodes[open.node].isRegular else { throw .EINVAL }
    return try FileData.write(open.node, in: open.tree, at: offset, from: buffer, count: count)
  }

  /// The open node behind `descriptor` for the positional calls: ESPIPE for pipes, stdin and
  /// the console; EINVAL for a negative offset.
  static func positioned(_ descriptor: UInt64, offset: UInt64) throws(LinuxErrno) -> OpenNode {
    guard case .node(let open) = try FileCalls.descriptors.file(descriptor) else {
      throw .ESPIPE
    }
    guard Int64(bitPattern: offset) >= 0 else { throw .EINVAL }
    return open
  }

  /// `pwrite64(fd, buf, count, offset)`: at `offset`, or at the end with `O_APPEND` (Linux
  /// appends then too: pwrite(2) BUGS).
  static func pwrite64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let open = try positioned(call.a0, offset: call.a3)
    let offset = open.device == nil && open.appends ? open.tree.nodes[open.node].size : call.a3
    return try write(open, at: offset, from: call.a1, count: call.a2)
  }

  /// `preadv(fd, iov, count, offset)` and `pwritev`: the vectors in turn from `offset`, until
  /// one is short.
  static func preadv(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let open = try positioned(call.a0, offset: call.a3)
    guard open.readable else { throw .EBADF }
    let vectors = try FileCalls.userVectors(at: call.a1, count: call.a2)
    var done: UInt64 = 0
    for (base, length) in vectors where length > 0 {
      let part: UInt64
      do { part = try FileReadCalls.read(open, at: call.a3 + done, to: base, count: length) } catch
      {
        if done == 0 { throw error }
        return done
      }
      done += part
      if part < length { break }
    }
    return done
  }

  static func pwritev(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let open = try positioned(call.a0, offset: call.a3)
    guard open.writable else { throw .EBADF }
    let vectors = try FileCalls.userVectors(at: call.a1, count: call.a2)
    let start = open.appends ? open.tree.nodes[open.node].size : call.a3
    var done: UInt64 = 0
    for (base, length) in vectors where length > 0 {
      let part: UInt64
      do { part = try write(open, at: start + done, from: base, count: length) } catch {
        if done == 0 { throw error }
        return done
      }
      done += part
      if part < length { break }
    }
    return done
  }

  /// `writev` to a file or device: the vectors in turn at the offset.
  static func writev(_ open: OpenNode, _ vectors: [(base: UInt64, length: UInt64)])
    throws(LinuxErrno) -> UInt64
  {
    guard open.writable else { throw .EBADF }
    var done: UInt64 = 0
    for (base, length) in vectors where length > 0 {
      let part: UInt64
      do { part = try write(open, from: base, count: length) } catch {
        if done == 0 { throw error }
        return done
      }
      done += part
      if part < length { break }
    }
    return done
  }

  /// `ftruncate(fd, length)`: EINVAL for a negative length or a descriptor not open for
  /// writing or not a regular file (Linux: EINVAL for those, EBADF for no descriptor).
  static func ftruncate(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard case .node(let open) = try FileCalls.descriptors.file(call.a0) else { throw .EINVAL }
    guard Int64(bitPattern: call.a1) >= 0 else { throw .EINVAL }
    guard open.writable, open.tree.nodes[open.node].isRegular else { throw .EINVAL }
    try FileData.truncate(open.node, in: open.tree, to: call.a1)
    return 0
  }

  /// `truncate(path, length)`: EISDIR for a directory, EINVAL for another non-file.
  static func truncate(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let node = try PathCalls.node(
      PathCalls.atCurrent, try PathCalls.copyPath(call.a0), follow: true)
    guard Int64(bitPattern: call.a1) >= 0 else { throw .EINVAL }
    if tree.nodes[node].isDirectory { throw .EISDIR }
    guard tree.nodes[node].isRegular else { throw .EINVAL }
    try tree.checkWritable(node)  // a running program's file: ETXTBSY
    try FileData.truncate(node, in: tree, to: call.a1)
    return 0
  }

  /// `fsync` / `fdatasync`: the file is in memory, nothing to flush; EINVAL for a pipe or the
  /// console (which cannot be synced), EBADF for no descriptor.
  static func fsync(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard case .node = try FileCalls.descriptors.file(call.a0) else { throw .EINVAL }
    return 0
  }
}
