/// The file `execve` runs, opened as Linux's `do_open_execat`: the path walked from `dirfd`
/// (`PathCalls.start`: EBADF, ENOTDIR), ENOENT for an empty path unless `AT_EMPTY_PATH` (then
/// the descriptor's own file), ELOOP for a symlink with `AT_SYMLINK_NOFOLLOW`; and EACCES
/// unless it is a regular file with an execute bit for someone — every process is root, and
/// root may execute a file when any of its three x bits is set (`generic_permission`).
struct ExecutableFile {
  /// Any execute bit (`S_IXUGO`).
  static let executeBits: UInt32 = 0o111

  /// Its node in the root file system.
  var node: Int
  /// The name it goes by (`ExecCall.fileName`: what a script's interpreter gets).
  var path: [UInt8]
  /// Its bytes: in the boot module for a file as unpacked, a copy for one written since
  /// (`ExecutableImages`).
  var bytes: UnsafeRawBufferPointer
  /// The file held as running while the exec uses it (`deny_write_access`: ETXTBSY when a
  /// description may write it); the program's is kept with its image.
  var runningImage: RunningImage

  static func open(
    directory: UInt64, path: [UInt8], emptyPath: Bool, follow: Bool, name: [UInt8]
  ) throws(LinuxErrno) -> ExecutableFile {
    let tree = PathCalls.tree
    let node: Int
    if path.isEmpty {
      guard emptyPath else { throw .ENOENT }
      node = try descriptorNode(directory)
    } else {
      node = try tree.resolve(
        path, from: PathCalls.start(directory, for: path), followFinal: follow)
      guard !tree.nodes[node].isSymbolicLink else { throw .ELOOP }
    }
    let file = tree.nodes[node]
    guard file.isRegular, file.mode & executeBits != 0 else { throw .EACCES }
    let running = try RunningImage(tree: tree, node: node)
    return ExecutableFile(
      node: node, path: name, bytes: ExecutableImages.bytes(of: node, in: tree),
      runningImage: running)
  }

  /// `AT_EMPTY_PATH`: the file open at `descriptor` (the working directory for `AT_FDCWD`,
  /// which then fails as a directory); a pipe or the console is no file to execute.
  static func descriptorNode(_ descriptor: UInt64) throws(LinuxErrno) -> Int {
    if Int32(truncatingIfNeeded: descriptor) == OpenFlags.currentDirectory {
      return PathCalls.process.workingDirectory
    }
    guard case .node(let open) = try FileCalls.descriptors.file(descriptor), open.device == nil
    else { throw .EACCES }
    return open.node
  }
}
