/// /proc: the process-information file system, answered for every absolute path under
/// `/proc` before the root file system sees it (procfs mounted there). The path calls call it
/// first — one hook each in `open`, the `stat` family and `readlink` (PathCalls) — and the
/// file calls read what `open` returned (`OpenFile.generated`, GeneratedFile).
///
/// Files (their text: Sources/LinuxABI/Proc): `meminfo`, `cpuinfo`, `uptime`, `loadavg`,
/// `stat`, `mounts`, `filesystems`, the `sys/` tree (SystemTables); `self` and `thread-self`;
/// per process `maps`, `smaps`, `smaps_rollup`, `pagemap` (ResidencyReports), `mounts`,
/// `status`, `stat`, `statm`, `cmdline`, `comm`, `environ`, the links `exe`, `cwd`, `root`,
/// `fd/N`, and the directories `fd/`, `task/` (with `task/TID/`, the same files for one
/// thread).
enum ProcFileSystem {
  static var process: UserProcess { ProcessRunner.current! }

  /// The caller's pid and tid, for `self` and `thread-self`.
  static var selfIDs: (process: UInt64, thread: UInt64) {
    (process.id, Processor.current.thread.user.tid)
  }

  // MARK: the hooks

  /// The absolute path a path call means under /proc: `path` itself when absolute; a relative
  /// one from a /proc directory open at `directory`, or from the working directory when that
  /// is in /proc (`UserProcess.procWorkingDirectory`); nil when the path is the root file
  /// system's to resolve.
  static func absolute(_ path: [UInt8], directory: UInt64) -> [UInt8]? {
    if path.first == UInt8(ascii: "/") { return path }
    if Int32(truncatingIfNeeded: directory) == OpenFlags.currentDirectory {
      return process.procWorkingDirectory.map { ProcPath.absolute(path, from: $0) }
    }
    guard case .generated(let open) = try? process.descriptors.file(directory) else { return nil }
    return ProcPath.absolute(path, from: open.path)
  }

  /// `chdir` into a /proc directory: the working directory becomes that path (and, for the
  /// root file system, `/`, where a relative path leaving /proc lands). nil outside /proc.
  static func changeDirectory(_ path: [UInt8]) throws(LinuxErrno) -> Bool {
    guard
      let full = absolute(path, directory: UInt64(bitPattern: Int64(OpenFlags.currentDirectory))),
      let node = try resolve(full, follow: true)
    else { return false }
    guard node.isDirectory else { throw .ENOTDIR }
    process.procWorkingDirectory = ProcPath.normalized(full)
    process.workingDirectory = FileTree.root
    return true
  }

  /// `open` of a /proc path: the generated file, the file a link names (followed unless
  /// `O_NOFOLLOW`: ELOOP), or nil for a path outside /proc. Root may open a file for writing,
  /// as on Linux (CAP_DAC_OVERRIDE), but none has a write operation (`write` answers EINVAL);
  /// a directory opened for writing is EISDIR, a file with O_DIRECTORY ENOTDIR.
  static func open(_ path: [UInt8], directory: UInt64, flags: UInt64) throws(LinuxErrno)
    -> OpenFile?
  {
    let follow = flags & OpenFlags.noFollow == 0
    guard let path = absolute(path, directory: directory),
      let node = try resolve(path, follow: follow)
    else { return nil }
    if follow, let target = try linkedFile(node, flags: flags) { return target }
    if node.isLink { throw .ELOOP }
    let writing = flags & OpenFlags.accessMode != OpenFlags.readOnly
    if node.isDirectory, writing || flags & OpenFlags.create != 0 { throw .EISDIR }
    if !node.isDirectory, flags & OpenFlags.directory != 0 { throw .ENOTDIR }
    return .generated(try generate(node, path: path))
  }

  /// The `stat` of a /proc path (the link's target's when `follow`), nil outside /proc.
  static func status(_ path: [UInt8], directory: UInt64, follow: Bool) throws(LinuxErrno)
    -> FileStatus?
  {
    guard let path = absolute(path, directory: directory),
      let node = try resolve(path, follow: follow)
    else { return nil }
    if follow, let target = try linkedFile(node, flags: OpenFlags.readOnly) {
      return PathCalls.status(of: target)
    }
    return ProcNodes.status(of: node)
  }

  /// `readlink` of a /proc path: the link's target; EINVAL for what is no link; nil outside
  /// /proc.
  static func linkTarget(_ path: [UInt8], directory: UInt64) throws(LinuxErrno) -> [UInt8]? {
    guard let path = absolute(path, directory: directory),
      let node = try resolve(path, follow: false)
    else { return nil }
    guard node.isLink else { throw .EINVAL }
    return try ProcNodes.linkTarget(of: node)
  }

  /// `getdents64` on an open /proc directory.
  static func getdents(_ file: GeneratedFile, to buffer: UInt64, capacity: Int) throws(LinuxErrno)
    -> UInt64
  {
    let records = try file.directoryRecords(capacity: capacity)
    try UserMemory.copyOut(records, to: buffer)
    return UInt64(records.count)
  }

  // MARK: resolution

  /// The node `path` names, checked against the process table (ENOENT for a pid, tid or
  /// descriptor that is not there); nil outside /proc.
  static func resolve(_ path: [UInt8], follow: Bool) throws(LinuxErrno) -> ProcNode? {
    let ids = selfIDs
    guard
      let node = try ProcPath.resolve(
        path, selfID: ids.process, threadID: ids.thread, followFinal: follow)
    else { return nil }
    if case .process(let id, let thread, let file) = node {
      let owner = try target(id)
      if let thread, !owner.threads.contains(where: { $0.user.tid == thread }) { throw .ENOENT }
      if case .descriptor(let number) = file {
        do { _ = try owner.descriptors.file(number) } catch { throw .ENOENT }
      }
    }
    return node
  }

  /// The process of pid `id` (ENOENT when the table has none).
  static func target(_ id: UInt64) throws(LinuxErrno) -> UserProcess {
    guard let found = Scheduler.shared.table.find(id) else { throw .ENOENT }
    return found
  }

  /// What a followed link opens: the program file (`exe`), the working directory (`cwd`), the
  /// root (`root`), the open file itself (`fd/N`, sharing its description). nil for what is
  /// no such link (`self` is followed during resolution).
  static func linkedFile(_ node: ProcNode, flags: UInt64) throws(LinuxErrno) -> OpenFile? {
    guard case .process(let id, _, let file) = node else { return nil }
    let owner = try target(id)
    switch file {
    case .descriptor(let number): return try owner.descriptors.file(number)
    case .exe:
      guard let program = ProcNodes.programNode(of: owner) else { throw .ENOENT }
      return try PathCalls.openFile(program, flags: flags)
    case .cwd: return try PathCalls.openFile(owner.workingDirectory, flags: flags)
    case .root: return try PathCalls.openFile(FileTree.root, flags: flags)
    default: return nil
    }
  }

  /// The open file of `node`: its text or entries made now.
  static func generate(_ node: ProcNode, path: [UInt8]) throws(LinuxErrno) -> GeneratedFile {
    GeneratedFile(
      node: node, path: ProcPath.normalized(path),
      bytes: node.isDirectory ? [] : try ProcContents.bytes(of: node),
      entries: node.isDirectory ? try ProcNodes.entries(of: node) : [],
      status: ProcNodes.status(of: node))
  }
}
