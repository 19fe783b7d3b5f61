/// `statfs(path, buf)` and `fstatfs(fd, buf)`: every file is on the one tmpfs, so both describe
/// it as Linux's tmpfs does (`shmem_statfs`): `TMPFS_MAGIC`, 4096-byte blocks, the blocks its
/// files may use (the commit limit, which is what bounds them here) and those still free, the
/// inodes (`FileTree.maximumInodes`) and those free, names of 255 bytes.
enum StatfsCalls {
  /// `TMPFS_MAGIC` (include/uapi/linux/magic.h).
  static let tmpfsMagic: UInt64 = 0x0102_1994
  /// `sizeof(struct statfs)` on x86-64 and its fields' offsets.
  static let size = 120
  enum Offset {
    static let type = 0
    static let blockSize = 8
    static let blocks = 16
    static let freeBlocks = 24
    static let availableBlocks = 32
    static let files = 40
    static let freeFiles = 48
    static let nameLength = 64
    static let fragmentSize = 72
  }

  static func statfs(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try PathCalls.node(PathCalls.atCurrent, try PathCalls.copyPath(call.a0), follow: true)
    try UserMemory.copyOut(image(), to: call.a1)
    return 0
  }

  static func fstatfs(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try FileCalls.descriptors.file(call.a0)
    try UserMemory.copyOut(image(), to: call.a1)
    return 0
  }

  /// The `struct statfs` of the launch's file system now.
  static func image() -> [UInt8] {
    let commit = ProcessRunner.physical.commit
    let tree = PathCalls.tree
    let free = commit.limit > commit.committed ? commit.limit - commit.committed : 0
    var bytes = [UInt8](repeating: 0, count: size)
    let fields: [(Int, UInt64)] = [
      (Offset.type, tmpfsMagic), (Offset.blockSize, FileStatus.preferredBlockSize),
      (Offset.blocks, commit.limit), (Offset.freeBlocks, free), (Offset.availableBlocks, free),
      (Offset.files, UInt64(FileTree.maximumInodes)),
      (Offset.freeFiles, UInt64(FileTree.maximumInodes - tree.liveInodes)),
      (Offset.nameLength, UInt64(FileTree.maximumNameLength)),
      (Offset.fragmentSize, FileStatus.preferredBlockSize),
    ]
    for (offset, value) in fields {
      for byte in 0..<8 { bytes[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
    }
    return bytes
  }
}
