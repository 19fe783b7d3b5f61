/// Reading and positioning the open files of the root file system and standard input:
/// `read`, `pread64`, `lseek`, `getdents64`. A regular file's bytes come from its object's
/// frames (FileData), or straight from the boot module while it has none.
enum FileReadCalls {
  static var tree: FileTree { ProcessRunner.current!.fileSystem }

  /// `read(fd, buf, count)` on anything but the console (which reads as end of file).
  static func read(_ file: OpenFile, to buffer: UInt64, count: UInt64) throws(LinuxErrno)
    -> UInt64
  {
    let count = min(count, UserPointer.maximumTransfer)
    switch file {
    case .console: return try ConsoleTerminal.read(to: buffer, count: count)
    case .input(let stream):
      let length = min(Int(count), stream.remaining)
      let copied = try copy(stream.bytes, from: stream.position, count: length, to: buffer)
      stream.position += copied
      return UInt64(copied)
    case .node(let open):
      guard open.readable else { throw .EBADF }
      let copied = try read(open, at: open.offset, to: buffer, count: count)
      open.offset += copied
      return copied
    case .pipe(let end): return try PipeIO.read(end, into: UserVectors(buffer, count: count))
    case .generated(let generated): return try generated.read(to: buffer, count: count)
    }
  }

  /// Reads `open` at `offset` (the offset is not moved: `pread64`'s part).
  static func read(_ open: OpenNode, at offset: UInt64, to buffer: UInt64, count: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    switch open.device {
    case .null: return 0
    case .zero, .full: return try zeroFill(buffer, count: count)
    case .random, .urandom:
      return try ProcessCalls.getrandom(
        SystemCallArguments(number: 0, a0: buffer, a1: count, a2: 0, a3: 0, a4: 0, a5: 0))
    case .console, .tty: return try ConsoleTerminal.read(to: buffer, count: count)
    case nil: break
    }
    guard !open.tree.nodes[open.node].isDirectory else { throw .EISDIR }
    return try FileData.read(open.node, in: open.tree, at: offset, to: buffer, count: count)
  }

  /// Copies `count` bytes of `bytes` from `start` to user `buffer` a page at a time; a fault
  /// after some bytes ends the copy with their count, as Linux's `copy_to_user` loop does.
  static func copy(_ bytes: UnsafeRawBufferPointer, from start: Int, count: Int, to buffer: UInt64)
    throws(LinuxErrno) -> Int
  {
    let page = Int(PageSize.size4KiB.bytes)
    var done = 0
    while done < count {
      let chunk = min(count - done, page - Int((buffer &+ UInt64(done)) % UInt64(page)))
      do {
        try UserMemory.copyOut(
          bytes.baseAddress! + start + done, count: chunk, to: buffer + UInt64(done))
      } catch {
        if done == 0 { throw error }
        return done
      }
      done += chunk
    }
    return done
  }

  /// `/dev/zero`: `count` zero bytes, through the zeroed bounce buffer.
  static func zeroFill(_ buffer: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    UserMemory.bounce.initializeMemory(as: UInt8.self, repeating: 0, count: UserMemory.bounceSize)
    let zeros = UnsafeRawBufferPointer(start: UserMemory.bounce, count: UserMemory.bounceSize)
    var done: UInt64 = 0
    while done < count {
      let chunk = Int(min(count - done, UInt64(UserMemory.bounceSize)))
      let copied: Int
      do { copied = try copy(zeros, from: 0, count: chunk, to: buffer + done) } catch {
        if done == 0 { throw error }
        return done
      }
      done += UInt64(copied)
      if copied < chunk { break }
    }
    return done
  }

  /// `pread64(fd, buf, count, offset)`: regular files and the memory devices; ESPIPE for
  /// standard input and the console, EISDIR for a directory, EINVAL for a negative offset.
  static func pread64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try FileCalls.descriptors.file(call.a0)
    guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
    if case .generated(let generated) = file, Int64(bitPattern: call.a3) >= 0 {
      let count = min(call.a2, UserPointer.maximumTransfer)
      return try generated.read(at: call.a3, to: call.a1, count: count)
    }
    guard case .node(let open) = file else { throw .ESPIPE }
    guard open.readable else { throw .EBADF }
    guard Int64(bitPattern: call.a3) >= 0 else { throw .EINVAL }
    return try read(
      open, at: call.a3, to: call.a1, count: min(call.a2, UserPointer.maximumTransfer))
  }

  /// `lseek(fd, offset, whence)` on a root-file-system file: SEEK_SET / SEEK_CUR / SEEK_END
  /// (a directory's position moves with SEEK_SET / SEEK_CUR only); the memory devices always
  /// answer 0, as Linux's `null_lseek`.
  static func lseek(_ open: OpenNode, offset: UInt64, whence: UInt64) throws(LinuxErrno)
    -> UInt64
  {
    if open.device != nil { return 0 }
    let isDirectory = tree.nodes[open.node].isDirectory
    let base: Int64
    switch whence {
    case OpenFlags.seekSet: base = 0
    case OpenFlags.seekCurrent: base = Int64(open.offset)
    case OpenFlags.seekEnd where !isDirectory: base = Int64(tree.nodes[open.node].size)
    default: throw .EINVAL
    }
    let (target, overflow) = base.addingReportingOverflow(Int64(bitPattern: offset))
    guard !overflow, target >= 0 else { throw .EINVAL }
    open.offset = UInt64(target)
    return open.offset
  }

  /// `getdents64(fd, dirp, count)`: as many whole records as fit; EINVAL when not even the
  /// next one does; 0 at the end.
  static func getdents64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try FileCalls.descriptors.file(call.a0)
    if case .generated(let directory) = file {
      guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
      return try ProcFileSystem.getdents(
        directory, to: call.a1, capacity: Int(min(call.a2, UInt64(Int32.max))))
    }
    guard case .node(let open) = file, tree.nodes[open.node].isDirectory else { throw .ENOTDIR }
    guard UserPointer.passesAccessCheck(call.a1, length: call.a2) else { throw .EFAULT }
    let capacity = Int(min(call.a2, UInt64(Int32.max)))
    let position = Int(min(open.offset, UInt64(Int32.max)))
    let after = open.lastNamePosition == open.offset ? open.lastName : nil
    let (records, next, last) = tree.directoryRecords(
      of: open.node, from: position, after: after, capacity: capacity)
    if records.isEmpty, tree.hasRecords(of: open.node, from: position, after: after) {
      throw .EINVAL
    }
    try UserMemory.copyOut(records, to: call.a1)
    open.offset = UInt64(next)
    open.lastName = last
    open.lastNamePosition = open.offset
    return UInt64(records.count)
  }
}
