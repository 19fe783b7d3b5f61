/// The path calls over the launch's writable root file system (`UserProcess.fileSystem`):
/// `open`/`openat`/`creat`, the `stat` family, `access`/`faccessat`, `readlink`,
/// `chdir`/`fchdir`, `getcwd`. Paths resolve as Linux resolves them (`FileTree.lookup`); the
/// calls that change names are NamespaceCalls'.
enum PathCalls {
  typealias Flags = OpenFlags

  static var process: UserProcess { ProcessRunner.current! }
  static var tree: FileTree { ProcessRunner.current!.fileSystem }

  /// Copies a NUL-terminated path from user memory, as `strncpy_from_user` into a `PATH_MAX`
  /// buffer: EFAULT when unreadable before its NUL, ENAMETOOLONG when it has none in
  /// `PATH_MAX` bytes. Reads a page at a time so a path ending just before an unmapped page
  /// is fine.
  static func copyPath(_ address: UInt64) throws(LinuxErrno) -> [UInt8] {
    var path: [UInt8] = []
    let page = PageSize.size4KiB.bytes
    while path.count < FileTree.maximumPathLength {
      let cursor = address &+ UInt64(path.count)
      let chunk = Int(
        min(page - cursor % page, UInt64(FileTree.maximumPathLength - path.count)))
      try UserMemory.copyIn(from: cursor, count: chunk, to: UserMemory.bounce)
      let bytes = UnsafeRawBufferPointer(start: UserMemory.bounce, count: chunk)
      if let end = bytes.firstIndex(of: 0) {
        path += bytes[0..<end]
        return path
      }
      path += bytes
    }
    throw .ENAMETOOLONG
  }

  /// Where a relative path starts: the working directory for `AT_FDCWD`, else the directory
  /// open at `descriptor` (EBADF, ENOTDIR). An absolute path ignores it, as on Linux.
  static func start(_ descriptor: UInt64, for path: [UInt8]) throws(LinuxErrno) -> Int {
    if path.first == UInt8(ascii: "/") { return FileTree.root }
    if Int32(truncatingIfNeeded: descriptor) == Flags.currentDirectory {
      return process.workingDirectory
    }
    guard case .node(let open) = try process.descriptors.file(descriptor),
      tree.nodes[open.node].isDirectory
    else {
      _ = try process.descriptors.file(descriptor)
      throw .ENOTDIR
    }
    return open.node
  }

  /// The node `path` names from `descriptor` (ENOENT for an empty path).
  static func node(_ descriptor: UInt64, _ path: [UInt8], follow: Bool) throws(LinuxErrno) -> Int {
    guard !path.isEmpty else { throw .ENOENT }
    return try tree.resolve(path, from: start(descriptor, for: path), followFinal: follow)
  }

  // MARK: open

  static func open(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try open(
      directory: UInt64(bitPattern: Int64(Flags.currentDirectory)), path: call.a0,
      flags: call.a1, mode: call.a2)
  }

  static func openat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try open(directory: call.a0, path: call.a1, flags: call.a2, mode: call.a3)
  }

  /// Linux's order: the path is read (EFAULT, ENAMETOOLONG), a descriptor reserved (EMFILE),
  /// then the path walked. `O_CREAT` makes a missing regular file (mode & ~umask) in an
  /// existing directory; with `O_EXCL` an existing name (even a symlink) is EEXIST; a final
  /// symlink is followed unless `O_NOFOLLOW` (ELOOP) or `O_EXCL`.
  static func open(directory: UInt64, path address: UInt64, flags: UInt64, mode: UInt64 = 0)
    throws(LinuxErrno) -> UInt64
  {
    let path = try copyPath(address)
    let limit = process.limits.openFiles
    _ = try process.descriptors.lowestFree(limit: limit)
    guard !path.isEmpty else { throw .ENOENT }
    let closeOnExec = flags & Flags.closeOnExec != 0
    if let file = try ProcFileSystem.open(path, directory: directory, flags: flags) {
      return try process.descriptors.install(file, limit: limit, closeOnExec: closeOnExec)
    }
    let creating = flags & Flags.create != 0
    let exclusive = creating && flags & Flags.exclusive != 0
    let follow = flags & Flags.noFollow == 0 && !exclusive
    let lookup = try tree.lookup(path, from: start(directory, for: path), followFinal: follow)
    let node: Int
    switch lookup {
    case .found(let existing):
      if exclusive { throw .EEXIST }
      node = existing
    case .missing(let parent):
      guard creating else { throw .ENOENT }
      guard path.last != UInt8(ascii: "/") else { throw .EISDIR }
      let name = FileTree.components(of: path).last ?? []
      let permissions = UInt32(truncatingIfNeeded: mode) & FileMode.permissionMask
      node = try tree.create(
        in: parent, named: name, mode: FileMode.regular | (permissions & ~process.creationMask),
        now: WallClock.nanoseconds())
    }
    let file = try openFile(node, flags: flags)
    return try process.descriptors.install(file, limit: limit, closeOnExec: closeOnExec)
  }

  /// `umask(mask)`: the new creation mask (its permission bits), the old one returned.
  static func umask(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let old = process.creationMask
    process.creationMask = UInt32(truncatingIfNeeded: call.a0) & FileMode.accessPermissionMask
    return UInt64(old)
  }

  /// `creat(path, mode)`: `open(path, O_CREAT | O_WRONLY | O_TRUNC, mode)`.
  static func creat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try open(
      directory: atCurrent, path: call.a0,
      flags: Flags.create | Flags.writeOnly | Flags.truncate, mode: call.a1)
  }

  /// The open file for an existing `node`, after Linux's `do_open` / `may_open` checks; the
  /// caller is root, so permissions never refuse. `O_TRUNC` empties a regular file.
  static func openFile(_ node: Int, flags: UInt64) throws(LinuxErrno) -> OpenFile {
    let file = tree.nodes[node]
    let mode = flags & Flags.accessMode
    let writing = mode != Flags.readOnly
    if file.isSymbolicLink { throw .ELOOP }
    if flags & Flags.directory != 0, !file.isDirectory { throw .ENOTDIR }
    if file.isDirectory, writing || flags & Flags.create != 0 { throw .EISDIR }
    var device: CharacterDevice? = nil
    // FIFOs, sockets and block devices have nothing behind them here (no pipes by name, no
    // disks): ENXIO, as an open of a device without a driver.
    let special = [FileMode.fifo, FileMode.socket, FileMode.blockDevice]
    if special.contains(file.type) { throw .ENXIO }
    if file.isCharacterDevice {
      guard let known = CharacterDevice(major: file.deviceMajor, minor: file.deviceMinor) else {
        throw .ENXIO
      }
      if known == .console || known == .tty { return .console }
      device = known
    } else if file.isRegular, writing || flags & Flags.truncate != 0 {
      try tree.checkWritable(node)  // a running program's file: ETXTBSY
      if flags & Flags.truncate != 0 { try FileData.truncate(node, in: tree, to: 0) }
    }
    return .node(
      OpenNode(
        tree: tree, node: node, device: device, readable: mode != Flags.writeOnly,
        writable: mode == Flags.writeOnly || mode == Flags.readWrite,
        statusFlags: flags & ~Flags.notKept | Flags.largeFile))
  }

  // MARK: stat

  /// The status of an open file: its node's, or a character device's / pipe's for the
  /// console and standard input.
  static func status(of file: OpenFile) -> FileStatus {
    switch file {
    case .node(let open): return status(of: open.node)
    case .console:
      return FileStatus(
        inode: 0, mode: FileCalls.characterDeviceMode, linkCount: 1, size: 0, blocks: 0)
    case .generated(let generated): return generated.status
    case .input, .pipe:
      let pipeMode = FileMode.fifo | 0o600
      return FileStatus(inode: 0, mode: pipeMode, linkCount: 1, size: 0, blocks: 0)
    }
  }

  /// The status of inode `node`, its blocks the pages its object holds.
  static func status(of node: Int) -> FileStatus {
    tree.status(of: node, residentPages: FileData.residentPages(of: node, in: tree))
  }

  /// What `*at` calls with `flags` stat: the descriptor itself for `AT_EMPTY_PATH` and an
  /// empty path, else the path (the last symlink followed unless `AT_SYMLINK_NOFOLLOW`).
  static func status(directory: UInt64, path address: UInt64, flags: UInt64) throws(LinuxErrno)
    -> FileStatus
  {
    let path = try copyPath(address)
    if path.isEmpty, flags & Flags.emptyPath != 0 {
      if Int32(truncatingIfNeeded: directory) == Flags.currentDirectory {
        return status(of: process.workingDirectory)
      }
      return status(of: try process.descriptors.file(directory))
    }
    let follow = flags & Flags.symlinkNoFollow == 0
    if let status = try ProcFileSystem.status(path, directory: directory, follow: follow) {
      return status
    }
    return status(of: try node(directory, path, follow: follow))
  }

  static func fstat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try process.descriptors.file(call.a0)
    try UserMemory.copyOut(status(of: file).statBytes, to: call.a1)
    return 0
  }

  static func stat(_ call: SystemCallArguments, follow: Bool) throws(LinuxErrno) -> UInt64 {
    let flags = follow ? 0 : Flags.symlinkNoFollow
    let status = try self.status(directory: atCurrent, path: call.a0, flags: flags)
    try UserMemory.copyOut(status.statBytes, to: call.a1)
    return 0
  }

  static var atCurrent: UInt64 { UInt64(bitPattern: Int64(Flags.currentDirectory)) }

  /// `newfstatat(dirfd, path, buf, flags)`.
  static func newfstatat(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let allowed = Flags.symlinkNoFollow | Flags.noAutomount | Flags.emptyPath
    guard call.a3 & ~allowed == 0 else { throw .EINVAL }
    let status = try status(directory: call.a0, path: call.a1, flags: call.a3)
    try UserMemory.copyOut(status.statBytes, to: call.a2)
    return 0
  }

  /// `statx(dirfd, path, flags, mask, buf)`: the basic fields, whatever the mask.
  static func statx(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let allowed = Flags.symlinkNoFollow | Flags.noAutomount | Flags.emptyPath | Flags.statxSyncType
    guard call.a2 & ~allowed == 0, call.a2 & Flags.statxSyncType != Flags.statxSyncType,
      call.a3 & Flags.statxReserved == 0
    else { throw .EINVAL }
    let status = try status(directory: call.a0, path: call.a1, flags: call.a2)
    try UserMemory.copyOut(status.statxBytes, to: call.a4)
    return 0
  }

  // MARK: access, readlink

  /// `faccessat2(dirfd, path, mode, flags)` (`access` and `faccessat` pass no flags). The
  /// caller is root: reading and writing are always allowed, executing needs an execute bit
  /// on a file.
  static func access(directory: UInt64, path address: UInt64, mode: UInt64, flags: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let all = Flags.readAccess | Flags.writeAccess | Flags.executeAccess
    let allowed = Flags.effectiveAccess | Flags.symlinkNoFollow | Flags.emptyPath
    guard mode & ~all == 0, flags & ~allowed == 0 else { throw .EINVAL }
    let path = try copyPath(address)
    let follow = flags & Flags.symlinkNoFollow == 0
    if try ProcFileSystem.status(path, directory: directory, follow: follow) != nil { return 0 }
    let node: Int
    if path.isEmpty, flags & Flags.emptyPath != 0,
      Int32(truncatingIfNeeded: directory) != Flags.currentDirectory
    {
      guard case .node(let open) = try process.descriptors.file(directory) else { return 0 }
      node = open.node
    } else {
      node = try self.node(directory, path, follow: flags & Flags.symlinkNoFollow == 0)
    }
    let file = tree.nodes[node]
    if mode & Flags.executeAccess != 0, !file.isDirectory,
      file.mode & FileMode.anyExecute == 0
    {
      throw .EACCES
    }
    return 0
  }

  /// `readlinkat(dirfd, path, buf, size)`: the target, truncated to `size`, without a NUL.
  static func readlink(directory: UInt64, path address: UInt64, buffer: UInt64, size: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    guard Int32(truncatingIfNeeded: size) > 0 else { throw .EINVAL }
    let path = try copyPath(address)
    if let target = try ProcFileSystem.linkTarget(path, directory: directory) {
      let count = min(target.count, Int(Int32(truncatingIfNeeded: size)))
      try UserMemory.copyOut(Array(target[0..<count]), to: buffer)
      return UInt64(count)
    }
    let node = try self.node(directory, path, follow: false)
    guard tree.nodes[node].isSymbolicLink else { throw .EINVAL }
    let target = tree.nodes[node].linkTarget
    let count = min(target.count, Int(Int32(truncatingIfNeeded: size)))
    guard count > 0 else { return 0 }
    try UserMemory.copyOut(Array(target[0..<count]), to: buffer)
    return UInt64(count)
  }

  // MARK: working directory

  static func chdir(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let path = try copyPath(call.a0)
    if try ProcFileSystem.changeDirectory(path) { return 0 }
    let node = try node(atCurrent, path, follow: true)
    guard tree.nodes[node].isDirectory else { throw .ENOTDIR }
    process.procWorkingDirectory = nil
    process.workingDirectory = node
    return 0
  }

  static func fchdir(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard case .node(let open) = try process.descriptors.file(call.a0),
      tree.nodes[open.node].isDirectory
    else { throw .ENOTDIR }
    process.procWorkingDirectory = nil
    process.workingDirectory = open.node
    return 0
  }

  /// `getcwd(buf, size)`: the path with its NUL; ERANGE when it does not fit.
  static func getcwd(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let path = (process.procWorkingDirectory ?? tree.path(of: process.workingDirectory)) + [0]
    guard call.a1 >= UInt64(path.count) else { throw .ERANGE }
    try UserMemory.copyOut(path, to: call.a0)
    return UInt64(path.count)
  }
}
