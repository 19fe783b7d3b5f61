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
  /// `st_atime`, `st_mtime`, `st_ctime`, in nanoseconds since the epoch.
  public var accessTime: UInt64 = 0
  public var modificationTime: UInt64
  public var changeTime: UInt64 = 0

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
    self.accessTime = modificationTime
    self.changeTime = modificationTime
  }

  /// The three times, in `stat`'s order with their image offsets.
  var times: [(value: UInt64, statOffset: Int, statxOffset: Int)] {
    [
      (accessTime, StatOffset.accessTime, StatxOffset.accessTime),
      (modificationTime, StatOffset.modificationTime, StatxOffset.modificationTime),
      (changeTime, StatOffset.changeTime, StatxOffset.changeTime),
    ]
  }

  static let nanoseconds = LinuxStructures.nanosecondsPerSecond
  /// A timestamp's nanoseconds follow its seconds (8 bytes on in both structures).
  static let nanosecondsOffset = 8

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
    for time in times {
      Self.put(time.value / Self.nanoseconds, at: time.statOffset, in: &image)
      Self.put(
        time.value % Self.nanoseconds, at: time.statOffset + Self.nanosecondsOffset, in: &image)
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
    for time in times {
      Self.put(time.value / Self.nanoseconds, at: time.statxOffset, in: &image)
      Self.put(
        time.value % Self.nanoseconds, at: time.statxOffset + Self.nanosecondsOffset, in: &image,
        width: 4)
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

  /// The status of `node`: a directory's size is tmpfs's (`directoryEntrySize` per entry),
  /// a regular file's blocks its pages — `residentPages` for a file with an object (pages
  /// never written are holes), every page for one still in the archive, as on tmpfs.
  public func status(of node: Int, residentPages: UInt64? = nil) -> FileStatus {
    let file = nodes[node]
    var size = file.size
    var blocks: UInt64 = 0
    let pageBlocks = FileStatus.preferredBlockSize / FileStatus.blockUnit
    if file.isDirectory {
      size = Self.directoryEntrySize * (2 + UInt64(file.entries.count))
    } else if file.isRegular {
      let page = FileStatus.preferredBlockSize
      blocks = (residentPages ?? (size + page - 1) / page) * pageBlocks
    }
    var status = FileStatus(
      inode: file.inode, mode: file.mode, linkCount: linkCount(of: node), size: size,
      blocks: blocks, deviceMajor: file.deviceMajor, deviceMinor: file.deviceMinor)
    status.accessTime = file.accessTime
    status.modificationTime = file.modificationTime
    status.changeTime = file.changeTime
    return status
  }

  /// The `linux_dirent64` records of directory `node` that fit in `capacity` bytes, from
  /// `position` (0 is `.`, 1 is `..`, then the entries): the entries after the name `after`
  /// when given — where the last call stopped, so that entries added or removed meanwhile
  /// make no entry that stayed come twice or never (Linux's dcache cursor) — else from entry
  /// `position - 2`. Returns the records, the position after them and the last name given.
  public func directoryRecords(
    of node: Int, from position: Int, after: [UInt8]? = nil, capacity: Int
  ) -> (bytes: [UInt8], next: Int, last: [UInt8]?) {
    var bytes: [UInt8] = []
    var position = position
    var last = after
    let entries = nodes[node].entries
    var index = max(position - 2, 0)
    if let after, position >= 2 {
      let (found, exact) = self.position(in: node, of: after)
      index = exact ? found + 1 : found
    }
    while position < 2 || index < entries.count {
      let entry: (inode: Int, name: [UInt8])
      switch position {
      case 0: entry = (node, Self.dot)
      case 1: entry = (nodes[node].parent, Self.dotDot)
      default: entry = (entries[index].node, entries[index].name)
      }
      let record = DirectoryRecord.encode(
        inode: nodes[entry.inode].inode, nextPosition: UInt64(position + 1),
        type: FileMode.directoryEntryType(nodes[entry.inode].mode), name: entry.name)
      guard bytes.count + record.count <= capacity else { break }
      bytes += record
      if position >= 2 {
        last = entry.name
        index += 1
      }
      position += 1
    }
    return (bytes, position, last)
  }

  /// Whether a directory read from `position` after `after` has anything left.
  public func hasRecords(of node: Int, from position: Int, after: [UInt8]?) -> Bool {
    directoryRecords(of: node, from: position, after: after, capacity: Int.max).next > position
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
