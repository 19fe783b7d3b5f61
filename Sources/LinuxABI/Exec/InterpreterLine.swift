/// The `#!` line of a script, parsed as Linux 6.1's binfmt_script does (fs/binfmt_script.c):
/// only the first `bufferSize` (`BINPRM_BUF_SIZE`, 256) bytes of the file are looked at; the
/// line ends at the first newline or NUL; spaces and tabs around the interpreter are skipped;
/// everything after the interpreter's name and its separating blanks, trailing blanks
/// trimmed, is **one** optional argument (blanks inside it are kept). A line with no
/// interpreter, or one whose name may have been cut by the 256-byte limit (no blank, newline
/// or NUL after it inside the buffer), is ENOEXEC.
public struct InterpreterLine: Equatable, Sendable {
  /// `BINPRM_BUF_SIZE`: the bytes of the file the kernel reads to recognise a format.
  public static let bufferSize = 256
  /// `#!`.
  public static let magic: [UInt8] = [0x23, 0x21]

  /// The interpreter's path, as written.
  public var interpreter: [UInt8]
  /// The optional argument.
  public var argument: [UInt8]?

  static let space: UInt8 = 0x20
  static let tab: UInt8 = 0x09
  static let newline: UInt8 = 0x0a

  /// Whether `head` (the file's first bytes) starts with `#!`.
  public static func isScript(_ head: UnsafeRawBufferPointer) -> Bool {
    head.count >= 2 && head[0] == magic[0] && head[1] == magic[1]
  }

  /// Parses the line of a file that starts with `#!`; nil means ENOEXEC.
  public init?(head file: UnsafeRawBufferPointer) {
    // The kernel's buffer: the first 256 bytes, zero-filled past the end of a short file; its
    // last byte is never part of the line (`buf_end`).
    var buffer = [UInt8](repeating: 0, count: Self.bufferSize)
    for index in 0..<min(file.count, Self.bufferSize) { buffer[index] = file[index] }
    let bufferEnd = Self.bufferSize - 1
    var end: Int
    if let newline = Self.firstNewline(in: buffer) {
      end = newline
    } else {
      guard let name = Self.nextNonBlank(buffer, from: 2, to: bufferEnd),
        Self.nextTerminator(buffer, from: name, to: bufferEnd) != nil
      else { return nil }
      end = bufferEnd
    }
    while end > 2, Self.isBlank(buffer[end - 1]) { end -= 1 }
    guard let name = Self.nextNonBlank(buffer, from: 2, to: end), name != end else { return nil }
    let separator = Self.nextTerminator(buffer, from: name, to: end)
    var argumentStart: Int? = nil
    if let separator, buffer[separator] != 0 {
      argumentStart = Self.nextNonBlank(buffer, from: separator, to: end)
    }
    interpreter = Self.cString(buffer, from: name, to: separator ?? end)
    argument = argumentStart.map { Self.cString(buffer, from: $0, to: end) }
  }

  /// The new argv: interpreter, its argument if any, the script's path as given to execve,
  /// then the old argv without its first element (Linux's `remove_arg_zero`).
  public func arguments(scriptPath: [UInt8], original: [[UInt8]]) -> [[UInt8]] {
    var result = [interpreter]
    if let argument { result.append(argument) }
    result.append(scriptPath)
    result += original.dropFirst()
    return result
  }

  /// `strnchr(buf, sizeof(buf), '\n')`: stops at a NUL.
  static func firstNewline(in buffer: [UInt8]) -> Int? {
    for index in 0..<buffer.count {
      if buffer[index] == 0 { return nil }
      if buffer[index] == newline { return index }
    }
    return nil
  }

  static func isBlank(_ byte: UInt8) -> Bool { byte == space || byte == tab }

  static func nextNonBlank(_ buffer: [UInt8], from start: Int, to end: Int) -> Int? {
    var index = start
    while index < end {
      if !isBlank(buffer[index]) { return index }
      index += 1
    }
    return nil
  }

  /// A blank or a NUL at or after `start`, before `end`.
  static func nextTerminator(_ buffer: [UInt8], from start: Int, to end: Int) -> Int? {
    var index = start
    while index < end {
      if isBlank(buffer[index]) || buffer[index] == 0 { return index }
      index += 1
    }
    return nil
  }

  /// The bytes from `start` up to `end` or the first NUL (the kernel uses C strings).
  static func cString(_ buffer: [UInt8], from start: Int, to end: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = start
    while index < end, buffer[index] != 0 {
      bytes.append(buffer[index])
      index += 1
    }
    return bytes
  }
}
