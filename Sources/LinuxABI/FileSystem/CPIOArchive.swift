/// Why an initramfs archive cannot be read. The archive is untrusted input (it comes from the
/// boot loader), so every field is checked before it is used.
public enum CPIOError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A header, name or data area runs past the end of the archive; the offset of the entry.
  case truncated(at: Int)
  /// The six magic bytes are neither "070701" nor "070702".
  case badMagic(at: Int)
  /// A header field is not eight hexadecimal digits.
  case badField(at: Int)
  /// The name is empty, not NUL-terminated, or contains a NUL before its end.
  case badName(at: Int)
  /// The archive ends without the `TRAILER!!!` entry.
  case missingTrailer

  public var description: String {
    switch self {
    case .truncated(let at): return "cpio entry at " + String(at) + " runs past the archive"
    case .badMagic(let at): return "cpio entry at " + String(at) + " has a bad magic"
    case .badField(let at): return "cpio entry at " + String(at) + " has a non-hex field"
    case .badName(let at): return "cpio entry at " + String(at) + " has a malformed name"
    case .missingTrailer: return "cpio archive has no TRAILER!!! entry"
    }
  }
}

/// One member of a cpio archive: where its name and data are in the archive's bytes (nothing
/// is copied), and the header fields the file system uses.
public struct CPIOEntry: Equatable, Sendable {
  /// `c_mode`: the file type (`S_IFMT` bits) and permissions.
  public var mode: UInt32
  /// `c_mtime`: seconds since the epoch.
  public var modificationTime: UInt32
  /// `c_rdevmajor` / `c_rdevminor`: the device a character or block special file names.
  public var deviceMajor: UInt32
  public var deviceMinor: UInt32
  /// The name's bytes in the archive, without the terminating NUL.
  public var name: Range<Int>
  /// The file's bytes in the archive (`c_filesize` of them; a symlink's target).
  public var data: Range<Int>
}

/// A cpio archive in the "newc" format (`070701`, and `070702` whose checksum is not checked),
/// as Linux's initramfs uses it (Documentation/driver-api/early-userspace/buffer-format.rst):
/// a 110-byte ASCII header of thirteen 8-digit hexadecimal fields, the NUL-terminated name,
/// padding to a multiple of 4, the data, padding to a multiple of 4; the entry named
/// `TRAILER!!!` ends the archive.
public struct CPIOArchive {
  /// The header: 6 bytes of magic and 13 fields of 8 hex digits.
  public static let headerSize = 110
  static let fieldWidth = 8
  static let magicLength = 6
  /// Members start and data is padded to 4-byte boundaries.
  static let alignment = 4
  /// Field indices after the magic (`c_ino`, `c_mode`, … `c_check`).
  enum Field {
    static let mode = 1
    static let modificationTime = 5
    static let fileSize = 6
    static let deviceMajor = 9
    static let deviceMinor = 10
    static let nameSize = 11
  }
  static let trailerName: StaticString = "TRAILER!!!"

  /// The archive's bytes (borrowed: the entries refer to them).
  public let bytes: UnsafeRawBufferPointer

  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// Whether the bytes start like a newc archive (how a boot module is told apart).
  public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
    guard bytes.count >= magicLength else { return false }
    let prefix: [UInt8] = Array("07070".utf8)
    for index in 0..<prefix.count where bytes[index] != prefix[index] { return false }
    return bytes[5] == UInt8(ascii: "1") || bytes[5] == UInt8(ascii: "2")
  }

  /// Every entry before the trailer, in archive order.
  public func entries() throws(CPIOError) -> [CPIOEntry] {
    var result: [CPIOEntry] = []
    var offset = 0
    while true {
      let (entry, next) = try entry(at: offset)
      if isTrailer(entry) { return result }
      result.append(entry)
      offset = next
    }
  }

  /// The entry whose header starts at `offset`, and where the next one starts.
  func entry(at offset: Int) throws(CPIOError) -> (CPIOEntry, next: Int) {
    guard offset <= bytes.count else { throw .missingTrailer }
    guard bytes.count - offset >= Self.headerSize else {
      throw offset == bytes.count ? .missingTrailer : .truncated(at: offset)
    }
    guard Self.hasMagic(UnsafeRawBufferPointer(rebasing: bytes[offset...])) else {
      throw .badMagic(at: offset)
    }
    let nameSize = Int(try field(Field.nameSize, of: offset))
    let fileSize = Int(try field(Field.fileSize, of: offset))
    let nameStart = offset + Self.headerSize
    guard nameSize >= 1, nameSize <= bytes.count - nameStart else { throw .truncated(at: offset) }
    let nameEnd = nameStart + nameSize - 1
    guard bytes[nameEnd] == 0, !bytes[nameStart..<nameEnd].contains(0), nameEnd > nameStart
    else { throw .badName(at: offset) }
    let dataStart = Self.aligned(nameEnd + 1)
    guard dataStart <= bytes.count, fileSize <= bytes.count - dataStart else {
      throw .truncated(at: offset)
    }
    let entry = CPIOEntry(
      mode: try field(Field.mode, of: offset),
      modificationTime: try field(Field.modificationTime, of: offset),
      deviceMajor: try field(Field.deviceMajor, of: offset),
      deviceMinor: try field(Field.deviceMinor, of: offset),
      name: nameStart..<nameEnd, data: dataStart..<dataStart + fileSize)
    return (entry, Self.aligned(dataStart + fileSize))
  }

  /// Field `index` of the header at `offset`: exactly eight hex digits.
  func field(_ index: Int, of offset: Int) throws(CPIOError) -> UInt32 {
    let start = offset + Self.magicLength + index * Self.fieldWidth
    var value: UInt32 = 0
    for position in start..<start + Self.fieldWidth {
      guard let digit = Self.hexDigit(bytes[position]) else { throw .badField(at: offset) }
      value = value << 4 | digit
    }
    return value
  }

  func isTrailer(_ entry: CPIOEntry) -> Bool {
    let trailer = Self.trailerName
    guard entry.name.count == trailer.utf8CodeUnitCount else { return false }
    for index in 0..<entry.name.count
    where bytes[entry.name.lowerBound + index] != trailer.utf8Start[index] {
      return false
    }
    return true
  }

  static func hexDigit(_ byte: UInt8) -> UInt32? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
    default: return nil
    }
  }

  /// `value` rounded up to the archive's 4-byte alignment (values are at most the archive's
  /// size, so this cannot overflow).
  static func aligned(_ value: Int) -> Int { (value + alignment - 1) & ~(alignment - 1) }
}
