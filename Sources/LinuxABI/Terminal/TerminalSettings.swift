/// A terminal's settings: Linux's `struct termios` as `TCGETS` / `TCSETS` move it (the 36-byte
/// kernel layout of include/uapi/asm-generic/termbits.h: four 32-bit flag words, `c_line`,
/// then `NCCS` = 19 control characters; no speed words, those are `termios2`'s).
///
/// The flag and index constants are Linux's names and values (asm-generic/termbits.h and
/// termbits-common.h, which x86 uses unchanged).
public struct TerminalSettings: Equatable, Sendable {
  /// `sizeof(struct termios)` in the kernel ABI.
  public static let size = 36
  /// `NCCS`.
  public static let controlCharacterCount = 19
  /// Where `c_line` and `c_cc` start in the structure.
  static let lineOffset = 16
  static let controlCharactersOffset = 17

  // c_iflag
  public static let IGNBRK: UInt32 = 0o1
  public static let BRKINT: UInt32 = 0o2
  public static let ISTRIP: UInt32 = 0o40
  public static let INLCR: UInt32 = 0o100
  public static let IGNCR: UInt32 = 0o200
  public static let ICRNL: UInt32 = 0o400
  public static let IXON: UInt32 = 0o2000
  public static let IUTF8: UInt32 = 0o40000

  // c_oflag
  public static let OPOST: UInt32 = 0o1
  public static let ONLCR: UInt32 = 0o4
  public static let OCRNL: UInt32 = 0o10

  // c_cflag
  /// `B115200` (`CBAUDEX | 2`): the speed the serial port runs at.
  public static let B115200: UInt32 = 0o010002
  public static let CS8: UInt32 = 0o60
  public static let CREAD: UInt32 = 0o200
  public static let HUPCL: UInt32 = 0o2000
  public static let CLOCAL: UInt32 = 0o4000

  // c_lflag
  public static let ISIG: UInt32 = 0o1
  public static let ICANON: UInt32 = 0o2
  public static let ECHO: UInt32 = 0o10
  public static let ECHOE: UInt32 = 0o20
  public static let ECHOK: UInt32 = 0o40
  public static let ECHONL: UInt32 = 0o100
  public static let NOFLSH: UInt32 = 0o200
  public static let ECHOCTL: UInt32 = 0o1000
  public static let ECHOKE: UInt32 = 0o4000
  public static let IEXTEN: UInt32 = 0o100000

  // c_cc indices
  public static let VINTR = 0
  public static let VQUIT = 1
  public static let VERASE = 2
  public static let VKILL = 3
  public static let VEOF = 4
  public static let VTIME = 5
  public static let VMIN = 6
  public static let VSUSP = 10
  public static let VEOL = 11
  public static let VWERASE = 14
  public static let VLNEXT = 15
  public static let VEOL2 = 16
  /// `_POSIX_VDISABLE`: a control character set to this is disabled.
  public static let disabled: UInt8 = 0

  public var inputFlags: UInt32
  public var outputFlags: UInt32
  public var controlFlags: UInt32
  public var localFlags: UInt32
  public var lineDiscipline: UInt8
  /// `c_cc`, `controlCharacterCount` bytes.
  public var controlCharacters: [UInt8]

  public init(
    inputFlags: UInt32, outputFlags: UInt32, controlFlags: UInt32, localFlags: UInt32,
    lineDiscipline: UInt8 = 0, controlCharacters: [UInt8]
  ) {
    self.inputFlags = inputFlags
    self.outputFlags = outputFlags
    self.controlFlags = controlFlags
    self.localFlags = localFlags
    self.lineDiscipline = lineDiscipline
    self.controlCharacters = controlCharacters
  }

  /// What a serial console starts with: Linux's `tty_std_termios` (ICRNL IXON; OPOST ONLCR;
  /// ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; `INIT_C_CC`: ^C ^\ DEL ^U ^D, VMIN 1,
  /// ^Q ^S ^Z, ^R ^O ^W ^V), with the 8250 console's control flags for 115200 baud (`uart_set_
  /// options`: CS8 CREAD HUPCL CLOCAL).
  public static let serialConsole = TerminalSettings(
    inputFlags: ICRNL | IXON, outputFlags: OPOST | ONLCR,
    controlFlags: B115200 | CS8 | CREAD | HUPCL | CLOCAL,
    localFlags: ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN,
    controlCharacters: [
      0x03, 0x1c, 0x7f, 0x15, 0x04, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0x0f, 0x17, 0x16, 0, 0, 0,
    ])

  /// Decodes the structure from its `size` bytes (little-endian, as x86-64 stores it).
  public init(bytes: [UInt8]) {
    precondition(bytes.count >= Self.size, "a termios is 36 bytes")
    func word(_ index: Int) -> UInt32 {
      var value: UInt32 = 0
      for byte in 0..<4 { value |= UInt32(bytes[index * 4 + byte]) << (8 * UInt32(byte)) }
      return value
    }
    inputFlags = word(0)
    outputFlags = word(1)
    controlFlags = word(2)
    localFlags = word(3)
    lineDiscipline = bytes[Self.lineOffset]
    controlCharacters = Array(
      bytes[
        Self.controlCharactersOffset..<Self.controlCharactersOffset + Self.controlCharacterCount])
  }

  /// The structure's `size` bytes.
  public var bytes: [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(Self.size)
    for word in [inputFlags, outputFlags, controlFlags, localFlags] {
      for byte in 0..<4 { result.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(byte)))) }
    }
    result.append(lineDiscipline)
    result += controlCharacters
    return result
  }

  /// Whether `byte` is the enabled control character at `index`.
  func isCharacter(_ byte: UInt8, _ index: Int) -> Bool {
    let character = controlCharacters[index]
    return character != Self.disabled && character == byte
  }

  func local(_ flag: UInt32) -> Bool { localFlags & flag != 0 }
  func input(_ flag: UInt32) -> Bool { inputFlags & flag != 0 }
  func output(_ flag: UInt32) -> Bool { outputFlags & flag != 0 }

  /// `ICANON`: line-at-a-time input with editing.
  public var isCanonical: Bool { local(Self.ICANON) }
  /// `VMIN` and `VTIME` (tenths of a second) of non-canonical reads.
  public var minimumBytes: Int { Int(controlCharacters[Self.VMIN]) }
  public var timeoutTenths: Int { Int(controlCharacters[Self.VTIME]) }
}

/// `struct winsize` (`TIOCGWINSZ` / `TIOCSWINSZ`): rows, columns, and two pixel sizes nobody
/// uses, four 16-bit fields.
public struct WindowSize: Equatable, Sendable {
  public static let size = 8
  public var rows: UInt16
  public var columns: UInt16
  public var width: UInt16
  public var height: UInt16

  public init(rows: UInt16, columns: UInt16, width: UInt16 = 0, height: UInt16 = 0) {
    self.rows = rows
    self.columns = columns
    self.width = width
    self.height = height
  }

  /// A serial line knows no size: Linux's 8250 tty starts at 0 × 0.
  public static let unknown = WindowSize(rows: 0, columns: 0)

  public init(bytes: [UInt8]) {
    precondition(bytes.count >= Self.size, "a winsize is 8 bytes")
    func half(_ index: Int) -> UInt16 {
      UInt16(bytes[index * 2]) | UInt16(bytes[index * 2 + 1]) << 8
    }
    self.init(rows: half(0), columns: half(1), width: half(2), height: half(3))
  }

  public var bytes: [UInt8] {
    var result: [UInt8] = []
    for value in [rows, columns, width, height] {
      result.append(UInt8(truncatingIfNeeded: value))
      result.append(UInt8(truncatingIfNeeded: value >> 8))
    }
    return result
  }
}
