/// `memfd_create(name, flags)`: an anonymous regular file of the launch's file system (no
/// directory names it), open read-write, its pages a file object like any tmpfs file's — shared
/// across fork through the descriptor, mapped shared by `mmap`, freed at its last close or
/// unmap. Linux's rules: the name (for /proc's links only) at most `MFD_NAME_MAX_LEN` bytes
/// (EINVAL; EFAULT unreadable), flags only `MFD_CLOEXEC`, `MFD_ALLOW_SEALING` (seals are not
/// supported: F_ADD_SEALS is EINVAL) and `MFD_HUGETLB` refused (EINVAL: no huge pages here).
enum MemfdCall {
  static let closeOnExec: UInt64 = 1  // MFD_CLOEXEC
  static let allowSealing: UInt64 = 2  // MFD_ALLOW_SEALING
  /// `NAME_MAX - strlen("memfd:")`.
  static let maximumNameLength = 249
  /// A memfd's mode: `S_IFREG | 0777`, as Linux's.
  static let mode: UInt32 = FileMode.regular | 0o777

  static func memfdCreate(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let name = try PathCalls.copyPath(call.a0)
    guard call.a1 & ~(closeOnExec | allowSealing) == 0 else { throw .EINVAL }
    guard name.count <= maximumNameLength else { throw .EINVAL }
    let process = PathCalls.process
    let limit = process.limits.openFiles
    _ = try process.descriptors.lowestFree(limit: limit)
    let tree = process.fileSystem
    let node = try tree.createAnonymous(mode: mode, now: WallClock.nanoseconds())
    let open = OpenNode(
      tree: tree, node: node, device: nil, readable: true, writable: true,
      statusFlags: OpenFlags.readWrite | OpenFlags.largeFile)
    return try process.descriptors.install(
      .node(open), limit: limit, closeOnExec: call.a1 & closeOnExec != 0)
  }
}
