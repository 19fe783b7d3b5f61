/// Text formatting for the console, without Foundation.

/// `value` in hexadecimal, zero-padded to `digits` digits, with a `0x` prefix.
func hexPadded(_ value: UInt64, digits: Int = 16) -> String {
  let text = String(value, radix: 16)
  let padding =
    digits > text.utf8.count ? String(repeating: "0", count: digits - text.utf8.count) : ""
  return "0x" + padding + text
}

/// `text` padded with spaces on the right to `width` columns.
func padRight(_ text: String, _ width: Int) -> String {
  let count = text.utf8.count
  return count >= width ? text : text + String(repeating: " ", count: width - count)
}

/// `text` padded with spaces on the left to `width` columns.
func padLeft(_ text: String, _ width: Int) -> String {
  let count = text.utf8.count
  return count >= width ? text : String(repeating: " ", count: width - count) + text
}

/// A byte count in the largest binary unit that keeps it whole-ish: "255 MiB", "636 KiB".
func byteSize(_ bytes: UInt64) -> String {
  let kibibyte: UInt64 = 1024
  let mebibyte = kibibyte * 1024
  let gibibyte = mebibyte * 1024
  if bytes >= gibibyte {
    return String(bytes / gibibyte) + fraction(bytes % gibibyte, of: gibibyte) + " GiB"
  }
  if bytes >= mebibyte {
    return String(bytes / mebibyte) + fraction(bytes % mebibyte, of: mebibyte) + " MiB"
  }
  if bytes >= kibibyte { return String(bytes / kibibyte) + " KiB" }
  return String(bytes) + " B"
}

/// ".5"-style tenths when `remainder` is not negligible.
private func fraction(_ remainder: UInt64, of unit: UInt64) -> String {
  let tenths = remainder * 10 / unit
  return tenths == 0 ? "" : "." + String(tenths)
}
