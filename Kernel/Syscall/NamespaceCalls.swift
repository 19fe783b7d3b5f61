/// The calls that change names in the launch's root file system (tmpfs semantics,
/// FileTree+Changes): `mkdir`/`mkdirat`, `unlink`/`unlinkat`/`rmdir`, `rename`/`renameat`/
/// `renameat2`, `link`/`linkat`, `symlink`/`symlinkat`, `chmod`/`fchmod`/`fchmodat`,
/// `utimensat`; and `memfd_create`.
///
/// Each names its entry as Linux's `filename_parentat` does: the path up to its last
/// component is walked (it must be a directory: ENOENT, ENOTDIR), the last component is the
/// name; a last component of `.` or `..` is refused with the error each call gives for it.
enum NamespaceCalls {
  typealias Flags = OpenFlags
  static var tree: FileTree { ProcessRunner.current!.fileSystem }
  static var now: UInt64 { WallClock.nanoseconds() }

  /// A path's last component and whether slashes followed it.
  struct Entry {
    var directory: Int
    var name: [UInt8]
    var trailingSlash: Bool
    var isDot: Bool { name == [UInt8(ascii: ".")] }
    var isDotDot: Bool { name == [UInt8(ascii: "."), UInt8(ascii: ".")] }
  }

  /// The directory and name `path` (read from user `address`) designates, from `descriptor`.
  static func entry(_ descriptor: UInt64, _ address: UInt64) throws(LinuxErrno) -> Entry {
    let path = try PathCalls.copyPath(address)
    guard !path.isEmpty else { throw .ENOENT }
    let slash = UInt8(ascii: "/")
    var end = path.count
    while end > 1, path[end - 1] == slash { end -= 1 }
    let trimmed = Array(path[0..<end])
    let trailing = end < path.count
    guard let cut = trimmed.lastIndex(of: slash) else {
      let start = try PathCalls.start(descriptor, for: path)
      return Entry(directory: start, name: trimmed, trailingSlash: trailing)
    }
    let name = Array(trimmed[(cut + 1)...])
    let parentPath = cut == 0 ? [slash] : Array(trimmed[0..<cut])
    let directory = try tree.resolve(
      parentPath, from: PathCalls.start(descriptor, for: path), followFinal: true)
    guard tree.nodes[directory].isDirectory else { throw .ENOTDIR }
    // The root's own path ("/"): no name (callers refuse it as they refuse ".").
    return Entry(
      directory: directory, name: name.isEmpty ? [UInt8(ascii: ".")] : name, trailingSlash: trailing
    )
  }

  static var atCurrent: UInt64 { PathCalls.atCurrent }

  // MARK: mkdir

  static func mkdir(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try mkdir(directory: atCurrent, path: call.a0, mode: call.a1)
  }

  static func mkdirat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try mkdir(directory: call.a0, path: call.a1, mode: call.a2)
  }

  /// `mkdirat(dirfd, path, mode)`: EEXIST for an existing name (also `.`, `..`, a symlink).
  static func mkdir(directory: UInt64, path: UInt64, mode: UInt64) throws(LinuxErrno) -> UInt64 {
    let entry = try entry(directory, path)
    if entry.isDot || entry.isDotDot { throw .EEXIST }
    let permissions = UInt32(truncatingIfNeeded: mode) & FileMode.permissionMask
    _ = try tree.create(
      in: entry.directory, named: entry.name,
      mode: FileMode.directory | (permissions & ~PathCalls.process.creationMask), now: now)
    return 0
  }

  // MARK: unlink, rmdir

  static func unlink(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try unlink(directory: atCurrent, path: call.a0, flags: 0)
  }

  static func rmdir(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try unlink(directory: atCurrent, path: call.a0, flags: Flags.removeDirectory)
  }

  static func unlinkat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a2 & ~Flags.removeDirectory == 0 else { throw .EINVAL }
    return try unlink(directory: call.a0, path: call.a1, flags: call.a2)
  }

  /// `unlinkat(dirfd, path, flags)`: a non-directory's name (EISDIR for a directory; ENOTDIR
  /// for a file named with a trailing slash), or with `AT_REMOVEDIR` an empty directory
  /// (EINVAL for `.`, ENOTEMPTY for `..`, EBUSY for the root). The inode goes when nothing
  /// else holds it.
  static func unlink(directory: UInt64, path: UInt64, flags: UInt64) throws(LinuxErrno)
    -> UInt64
  {
    let entry = try entry(directory, path)
    if flags & Flags.removeDirectory != 0 {
      if entry.isDot { throw entry.directory == FileTree.root ? .EBUSY : .EINVAL }
      if entry.isDotDot { throw .ENOTEMPTY }
      try tree.removeDirectory(in: entry.directory, named: entry.name, now: now)
      return 0
    }
    if entry.isDot || entry.isDotDot { throw .EISDIR }
    if entry.trailingSlash, let node = tree.child(of: entry.directory, named: entry.name),
      !tree.nodes[node].isDirectory
    {
      throw .ENOTDIR
    }
    let node = try tree.unlink(in: entry.directory, named: entry.name, now: now)
    FileData.freeIfUnused(node, in: tree)
    return 0
  }

  // MARK: rename

  static func rename(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try rename(from: atCurrent, call.a0, to: atCurrent, call.a1, flags: 0)
  }

  static func renameat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try rename(from: call.a0, call.a1, to: call.a2, call.a3, flags: 0)
  }

  static func renameat2(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try rename(from: call.a0, call.a1, to: call.a2, call.a3, flags: call.a4)
  }

  /// `renameat2(olddirfd, old, newdirfd, new, flags)`: RENAME_NOREPLACE and RENAME_EXCHANGE
  /// (both at once, or any other flag: EINVAL; RENAME_WHITEOUT is for overlay file systems);
  /// `.` or `..` as either name is EBUSY (Linux's `do_renameat2`); a trailing slash on a
  /// non-directory is ENOTDIR.
  static func rename(from: UInt64, _ old: UInt64, to: UInt64, _ new: UInt64, flags: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let known = FileTree.renameNoReplace | FileTree.renameExchange
    guard flags & ~known == 0, flags != known else { throw .EINVAL }
    let source = try entry(from, old)
    let target = try entry(to, new)
    for end in [source, target] where end.isDot || end.isDotDot { throw .EBUSY }
    if let node = tree.child(of: source.directory, named: source.name),
      !tree.nodes[node].isDirectory, source.trailingSlash || target.trailingSlash
    {
      throw .ENOTDIR
    }
    let replaced = try tree.rename(
      from: source.directory, named: source.name, to: target.directory, named: target.name,
      flags: flags, now: now)
    if let replaced { FileData.freeIfUnused(replaced, in: tree) }
    return 0
  }

  // MARK: link, symlink

  static func link(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try link(from: atCurrent, call.a0, to: atCurrent, call.a1, flags: 0)
  }

  static func linkat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try link(from: call.a0, call.a1, to: call.a2, call.a3, flags: call.a4)
  }

  /// `linkat(olddirfd, old, newdirfd, new, flags)`: a new name for an existing inode (the
  /// final symlink itself unless `AT_SYMLINK_FOLLOW`; `AT_EMPTY_PATH` names the descriptor's
  /// file). EEXIST when the new name exists, EPERM for a directory.
  static func link(from: UInt64, _ old: UInt64, to: UInt64, _ new: UInt64, flags: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    guard flags & ~(Flags.symlinkFollow | Flags.emptyPath) == 0 else { throw .EINVAL }
    let path = try PathCalls.copyPath(old)
    let node: Int
    if path.isEmpty, flags & Flags.emptyPath != 0 {
      guard case .node(let open) = try FileCalls.descriptors.file(from) else { throw .ENOENT }
      node = open.node
    } else {
      node = try PathCalls.node(from, path, follow: flags & Flags.symlinkFollow != 0)
    }
    let target = try entry(to, new)
    if target.isDot || target.isDotDot { throw .EEXIST }
    if target.trailingSlash, !tree.nodes[node].isDirectory,
      tree.child(of: target.directory, named: target.name) == nil
    {
      throw .ENOENT
    }
    try tree.link(node, in: target.directory, named: target.name, now: now)
    return 0
  }

  static func symlink(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try symlink(target: call.a0, directory: atCurrent, path: call.a1)
  }

  static func symlinkat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try symlink(target: call.a0, directory: call.a1, path: call.a2)
  }

  /// `symlinkat(target, dirfd, path)`: ENOENT for an empty target, EEXIST for a taken name.
  static func symlink(target address: UInt64, directory: UInt64, path: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let target = try PathCalls.copyPath(address)
    let entry = try entry(directory, path)
    guard !target.isEmpty else { throw .ENOENT }
    if entry.isDot || entry.isDotDot { throw .EEXIST }
    _ = try tree.createSymbolicLink(
      in: entry.directory, named: entry.name, target: target, now: now)
    return 0
  }

  // MARK: modes and times

  static func chmod(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let node = try PathCalls.node(atCurrent, try PathCalls.copyPath(call.a0), follow: true)
    tree.setPermissions(UInt32(truncatingIfNeeded: call.a1), of: node, now: now)
    return 0
  }

  static func fchmod(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard case .node(let open) = try FileCalls.descriptors.file(call.a0) else { return 0 }
    open.tree.setPermissions(UInt32(truncatingIfNeeded: call.a1), of: open.node, now: now)
    return 0
  }

  /// `fchmodat(dirfd, path, mode, flags)`: `AT_SYMLINK_NOFOLLOW` is EOPNOTSUPP on Linux 6.1
  /// (a link's mode cannot change), any other flag EINVAL.
  static func fchmodat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    if call.a3 == Flags.symlinkNoFollow { throw .EOPNOTSUPP }
    guard call.a3 == 0 else { throw .EINVAL }
    let node = try PathCalls.node(call.a0, try PathCalls.copyPath(call.a1), follow: true)
    tree.setPermissions(UInt32(truncatingIfNeeded: call.a2), of: node, now: now)
    return 0
  }

  /// `UTIME_NOW` and `UTIME_OMIT` in a timespec's nanoseconds.
  static let timeNow: UInt64 = (1 << 30) - 1
  static let timeOmit: UInt64 = (1 << 30) - 2

  /// `utimensat(dirfd, path, times[2], flags)`: NULL times set both to now; each timespec may
  /// be UTIME_NOW or UTIME_OMIT; nanoseconds past 999999999 are EINVAL; a NULL path with a
  /// descriptor is `futimens`.
  static func utimensat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 & ~(Flags.symlinkNoFollow | Flags.emptyPath) == 0 else { throw .EINVAL }
    let current = now
    var times: [UInt64?] = [current, current]
    if call.a2 != 0 {
      for index in 0..<2 {
        let seconds = try UserMemory.readWord(at: call.a2 + UInt64(16 * index))
        let nanoseconds = try UserMemory.readWord(at: call.a2 + UInt64(16 * index + 8))
        switch nanoseconds {
        case timeNow: times[index] = current
        case timeOmit: times[index] = nil
        case 0..<LinuxStructures.nanosecondsPerSecond:
          times[index] = seconds &* LinuxStructures.nanosecondsPerSecond &+ nanoseconds
        default: throw .EINVAL
        }
      }
    }
    let node: Int
    if call.a1 == 0 {
      guard case .node(let open) = try FileCalls.descriptors.file(call.a0) else { return 0 }
      node = open.node
    } else {
      let path = try PathCalls.copyPath(call.a1)
      if path.isEmpty, call.a3 & Flags.emptyPath != 0 {
        guard case .node(let open) = try FileCalls.descriptors.file(call.a0) else { return 0 }
        node = open.node
      } else {
        node = try PathCalls.node(call.a0, path, follow: call.a3 & Flags.symlinkNoFollow == 0)
      }
    }
    tree.setTimes(access: times[0], modification: times[1], of: node, now: current)
    return 0
  }
}
