/// What `stat` and `statx` report about a file, and their x86-64 byte images.
public struct FileStatus: Equatable, Sendable {
  /// `sizeof(struct stat)` on x86-64 and its field offsets (arch/x86/include/uapi/asm/stat.h).
  public static let statSize = 144
  enum StatOffset {
    static let inode = 8
    static let linkCount = 16
    static let mode = 24
    static let device = 40
    static let size = 48
    static let blockSize = 56
    static let blocks = 64
    static let accessTime = 72
    static let modificationTime = 88
    static let changeTime = 104
  }
  /// `sizeof(struct statx)` and its field offsets (include/uapi/linux/stat.h).
  public static let statxSize = 256
  enum StatxOffset {
    static let mask = 0
    static let blockSize = 4
    static let linkCount = 16
    static let mode = 28
    static let inode = 32
    static let size = 40
    static let blocks = 48
    static let accessTime = 64
    static let changeTime = 96
    static let modificationTime = 112
    static let deviceMajor = 128
    static let deviceMinor = 132
  }
  /// `STATX_BASIC_STATS`: type, mode, nlink, uid, gid, atime, mtime, ctime, ino, size, blocks.
  public static let basicStatsMask: UInt32 = 0x7ff
  /// `st_blocks` counts 512-byte units.
  public static let blockUnit: UInt64 = 512
  /// `st_blksize`: the page.
  public static let preferredBlockSize: UInt64 = 4096

  public var inode: UInt64
  public var mode: UInt32
  public var linkCount: UInt64
  public var size: UInt64
  public var blocks: UInt64
  public var deviceMajor: UInt32
  public var deviceMinor: UInt32
  public var modificationTime: UInt64

  public init(
    inode: UInt64, mode: UInt32, linkCount: UInt64, size: UInt64, blocks: UInt64,
    deviceMajor: UInt32 = 0, deviceMinor: UInt32 = 0, modificationTime: UInt64 = 0
  ) {
    self.inode = inode
    self.mode = mode
    self.linkCount = linkCount
    self.size = size
    self.blocks = blocks
    self.deviceMajor = deviceMajor
    self.deviceMinor = deviceMinor
    self.modificationTime = modificationTime
  }

  /// Linux's `new_encode_dev`: minor's low byte, major, minor's high bits.
  public var encodedDevice: UInt64 {
    let major = UInt64(deviceMajor)
    let minor = UInt64(deviceMinor)
    return (minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)
  }

  /// `struct stat`.
  public var statBytes: [UInt8] {
    var image = [UInt8](repeating: 0, count: Self.statSize)
    Self.put(inode, at: StatOffset.inode, in: &image)
    Self.put(linkCount, at: StatOffset.linkCount, in: &image)
    Self.put(UInt64(mode), at: StatOffset.mode, in: &image, width: 4)
    Self.put(encodedDevice, at: StatOffset.device, in: &image)
    Self.put(size, at: StatOffset.size, in: &image)
    Self.put(Self.preferredBlockSize, at: StatOffset.blockSize, in: &image)
    Self.put(blocks, at: StatOffset.blocks, in: &image)
    for offset in [StatOffset.accessTime, StatOffset.modificationTime, StatOffset.changeTime] {
      Self.put(modificationTime, at: offset, in: &image)
    }
    return image
  }

  /// `struct statx` with the basic fields (whatever the mask asked: they are all cheap).
  public var statxBytes: [UInt8] {
    var image = [UInt8](repeating: 0, count: Self.statxSize)
    Self.put(UInt64(Self.basicStatsMask), at: StatxOffset.mask, in: &image, width: 4)
    Self.put(Self.preferredBlockSize, at: StatxOffset.blockSize, in: &image, width: 4)
    Self.put(linkCount, at: StatxOffset.linkCount, in: &image, width: 4)
    Self.put(UInt64(mode), at: StatxOffset.mode, in: &image, width: 2)
    Self.put(inode, at: StatxOffset.inode, in: &image)
    Self.put(size, at: StatxOffset.size, in: &image)
    Self.put(blocks, at: StatxOffset.blocks, in: &image)
    for offset in [StatxOffset.accessTime, StatxOffset.modificationTime, StatxOffset.changeTime] {
      Self.put(modificationTime, at: offset, in: &image)
    }
    Self.put(UInt64(deviceMajor), at: StatxOffset.deviceMajor, in: &image, width: 4)
    Self.put(UInt64(deviceMinor), at: StatxOffset.deviceMinor, in: &image, width: 4)
    return image
  }

  static func put(_ value: UInt64, at offset: Int, in image: inout [UInt8], width: Int = 8) {
    for byte in 0..<width {
      image[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
    }
  }
}

extension FileTree {
  /// tmpfs's `BOGO_DIRENT_SIZE`: a directory's size is 20 per entry plus 40 for `.`/`..`,
  /// what Linux's initramfs root reports.
  public static let directoryEntrySize: UInt64 = 20

  /// The status of `node`: inode = index + 1; a directory's link count is 2 plus its
  /// subdirectories; a regular file's blocks are its pages, as on tmpfs.
  public func status(of node: Int) -> FileStatus {
    let file = nodes[node]
    var links: UInt64 = 1
    var size = UInt64(file.data.count)
    var blocks: UInt64 = 0
    if file.isDirectory {
      links = 2 + UInt64(file.children.count { nodes[$0].isDirectory })
      size = Self.directoryEntrySize * (2 + UInt64(file.children.count))
    } else if file.isRegular {
      let page = FileStatus.preferredBlockSize
      blocks = (size + page - 1) / page * (page / FileStatus.blockUnit)
    }
    return FileStatus(
      inode: UInt64(node) + 1, mode: file.mode, linkCount: links, size: size, blocks: blocks,
      deviceMajor: file.deviceMajor, deviceMinor: file.deviceMinor,
      modificationTime: UInt64(file.modificationTime))
  }

  /// The `linux_dirent64` records of directory `node` from position `start` (0 is `.`, 1 is
  /// `..`, 2 + i is entry i) that fit in `capacity` bytes; and the position after them.
  public func directoryRecords(of node: Int, from start: Int, capacity: Int) -> (
    bytes: [UInt8], next: Int
  ) {
    var bytes: [UInt8] = []
    var position = start
    let children = nodes[node].children
    while position < children.count + 2 {
      let entry: (inode: Int, name: [UInt8])
      switch position {
      case 0: entry = (node, Self.dot)
      case 1: entry = (nodes[node].parent, Self.dotDot)
      default: entry = (children[position - 2], nodes[children[position - 2]].name)
      }
      let record = DirectoryRecord.encode(
        inode: UInt64(entry.inode) + 1, nextPosition: UInt64(position + 1),
        type: FileMode.directoryEntryType(nodes[entry.inode].mode), name: entry.name)
      guard bytes.count + record.count <= capacity else { break }
      bytes += record
      position += 1
    }
    return (bytes, position)
  }
}

/// `struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }`,
/// each record padded to 8 bytes.
public enum DirectoryRecord {
  /// The bytes before `d_name`.
  public static let headerSize = 19
  static let alignment = 8

  /// The record's length for a name of `length` bytes (with its NUL, rounded up to 8).
  public static func length(nameLength: Int) -> Int {
    (headerSize + nameLength + 1 + alignment - 1) & ~(alignment - 1)
  }

  public static func encode(inode: UInt64, nextPosition: UInt64, type: UInt8, name: [UInt8])
    -> [UInt8]
  {
    var record = [UInt8](repeating: 0, count: length(nameLength: name.count))
    FileStatus.put(inode, at: 0, in: &record)
    FileStatus.put(nextPosition, at: 8, in: &record)
    FileStatus.put(UInt64(record.count), at: 16, in: &record, width: 2)
    record[18] = type
    for (index, byte) in name.enumerated() { record[headerSize + index] = byte }
    return record
  }
}
