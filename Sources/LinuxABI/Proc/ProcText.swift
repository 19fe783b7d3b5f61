/// The bytes of a generated /proc file, built the way Linux's `seq_file` helpers build them:
/// decimal and hexadecimal numbers, left- or right-aligned in a width, and padding to a column
/// (`seq_setwidth` / `seq_pad`). No Foundation, no formatting strings: every file's layout is
/// spelled out by its format (ProcMaps, ProcStatus, …).
public struct ProcText: Sendable {
  public private(set) var bytes: [UInt8] = []
  /// Where the current line started (for `pad(toColumn:)`).
  private var lineStart = 0

  public init() {}

  public mutating func append(_ text: String) { bytes += Array(text.utf8) }

  public mutating func append(bytes more: [UInt8]) { bytes += more }

  public mutating func append(byte: UInt8) { bytes.append(byte) }

  /// A newline; the next `pad(toColumn:)` counts from after it.
  public mutating func newline() {
    bytes.append(UInt8(ascii: "\n"))
    lineStart = bytes.count
  }

  /// `value` in decimal, right-aligned in `width` characters (`%*lu`), spaces before it.
  public mutating func decimal(_ value: UInt64, width: Int = 0) {
    let digits = Self.digits(value, radix: 10)
    spaces(width - digits.count)
    bytes += digits
  }

  /// A signed decimal (`%ld`).
  public mutating func signedDecimal(_ value: Int64) {
    if value < 0 { bytes.append(UInt8(ascii: "-")) }
    bytes += Self.digits(value.magnitude, radix: 10)
  }

  /// `value` in lowercase hexadecimal, at least `digits` of them with leading zeros
  /// (`seq_put_hex_ll`, `%08lx`).
  public mutating func hex(_ value: UInt64, digits minimum: Int = 0) {
    let digits = Self.digits(value, radix: 16)
    for _ in 0..<max(0, minimum - digits.count) { bytes.append(UInt8(ascii: "0")) }
    bytes += digits
  }

  /// Spaces up to column `column` of the current line (nothing if it is already past it).
  public mutating func pad(toColumn column: Int) { spaces(column - (bytes.count - lineStart)) }

  /// `count` spaces (none when not positive).
  public mutating func spaces(_ count: Int) {
    guard count > 0 else { return }
    bytes += [UInt8](repeating: UInt8(ascii: " "), count: count)
  }

  /// `value` as hundredths with two decimals: "6.39" for 639 (uptime, loadavg).
  public mutating func hundredths(_ value: UInt64) {
    decimal(value / 100)
    bytes.append(UInt8(ascii: "."))
    let fraction = value % 100
    if fraction < 10 { bytes.append(UInt8(ascii: "0")) }
    decimal(fraction)
  }

  static func digits(_ value: UInt64, radix: UInt64) -> [UInt8] {
    guard value != 0 else { return [UInt8(ascii: "0")] }
    var reversed: [UInt8] = []
    var rest = value
    while rest != 0 {
      let digit = UInt8(rest % radix)
      reversed.append(digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10)
      rest /= radix
    }
    return reversed.reversed()
  }
}
