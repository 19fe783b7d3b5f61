/// Why a launch record cannot be used.
public enum LaunchRecordError: Error, Equatable, Sendable, CustomStringConvertible {
  /// Shorter than its header says, or a string runs past the end.
  case truncated
  /// The arguments exceed Linux's limits (E2BIG at execve).
  case argumentsTooLarge
  /// No program path.
  case emptyPath

  public var description: String {
    switch self {
    case .truncated: return "launch record truncated"
    case .argumentsTooLarge: return "launch record arguments exceed the argument limits"
    case .emptyPath: return "launch record has an empty program path"
    }
  }
}

/// One program to run, as tools/run-elf hands it to the kernel in a boot module of its own
/// (Multiboot module strings cannot carry spaces, commas or empty words, nor stdin):
///
/// ```
/// 0   8 bytes  magic "RUNELF\0\1"
/// 8   u32      argument count (argv[0] included)
/// 12  u32      0
/// 16  u64      standard-input length
/// 24  path NUL, argv[0] NUL, … argv[n-1] NUL, then the standard-input bytes
/// ```
///
/// Little-endian; the strings are bytes (no encoding assumed); nothing is copied — the ranges
/// refer to the module.
public struct LaunchRecord: Equatable, Sendable {
  public static let magic: [UInt8] = [
    UInt8(ascii: "R"), UInt8(ascii: "U"), UInt8(ascii: "N"), UInt8(ascii: "E"),
    UInt8(ascii: "L"), UInt8(ascii: "F"), 0, 1,
  ]
  public static let headerSize = 24
  /// `MAX_ARG_STRLEN` (32 pages): the longest one argument may be.
  public static let maximumArgumentLength = 32 * 4096
  /// A quarter of the 8 MiB stack, Linux's limit on argv + envp together.
  public static let maximumArgumentBytes = 2 << 20

  /// The program's path in the root file system.
  public var path: Range<Int>
  /// Each argument's bytes (without the NUL).
  public var arguments: [Range<Int>]
  /// The standard input.
  public var input: Range<Int>

  /// Whether `bytes` starts with the record's magic.
  public static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.count >= magic.count && (0..<magic.count).allSatisfy { bytes[$0] == magic[$0] }
  }

  public init(_ bytes: UnsafeRawBufferPointer) throws(LaunchRecordError) {
    guard Self.hasMagic(bytes), bytes.count >= Self.headerSize else { throw .truncated }
    let count = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian)
    let inputLength = bytes.loadUnaligned(fromByteOffset: 16, as: UInt64.self).littleEndian
    guard count <= Self.maximumArgumentBytes else { throw .argumentsTooLarge }
    var cursor = Self.headerSize
    var strings: [Range<Int>] = []
    var total = 0
    for _ in 0...count {
      guard let end = bytes[cursor...].firstIndex(of: 0) else { throw .truncated }
      let length = end - cursor
      total += length + 1
      guard length <= Self.maximumArgumentLength, total <= Self.maximumArgumentBytes else {
        throw .argumentsTooLarge
      }
      strings.append(cursor..<end)
      cursor = end + 1
    }
    guard inputLength <= UInt64(bytes.count - cursor) else { throw .truncated }
    guard !strings[0].isEmpty else { throw .emptyPath }
    path = strings[0]
    arguments = Array(strings.dropFirst())
    input = cursor..<cursor + Int(inputLength)
  }
}
