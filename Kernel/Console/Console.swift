/// The kernel console: everything the kernel says goes to COM1.
///
/// Swift's `print` reaches it through `putchar` (Kernel/Support/console_putchar.c). A line feed
/// is sent as CR LF so that a raw terminal (`-nographic`) shows lines properly.
enum Console {
  static let port = SerialPort(base: SerialPort.com1Base)
  static let lineFeed: UInt8 = 0x0a
  static let carriageReturn: UInt8 = 0x0d

  /// Prepares the UART.
  static func initialize() { port.initialize() }

  /// Writes one byte, expanding LF to CR LF.
  static func put(_ byte: UInt8) {
    if byte == lineFeed { port.send(carriageReturn) }
    port.send(byte)
  }

  /// Writes a static string without allocating: usable when the heap is broken.
  static func write(_ text: StaticString) {
    text.withUTF8Buffer { bytes in
      for byte in bytes { put(byte) }
    }
  }

  /// Writes a NUL-terminated C string (e.g. a name from the multiboot data).
  static func write(cString: UnsafePointer<UInt8>) {
    var cursor = cString
    while cursor.pointee != 0 {
      put(cursor.pointee)
      cursor += 1
    }
  }

  /// Writes `value` as 16 hexadecimal digits without allocating.
  static func writeHex(_ value: UInt64) {
    let digits: StaticString = "0123456789abcdef"
    digits.withUTF8Buffer { table in
      put(UInt8(ascii: "0"))
      put(UInt8(ascii: "x"))
      var shift: UInt64 = 60
      while true {
        put(table[Int((value >> shift) & 0xf)])
        if shift == 0 { break }
        shift -= 4
      }
    }
  }
}

/// The byte sink behind C's `putchar`, and so behind Swift's `print`.
@_cdecl("kernel_console_put_byte")
func kernelConsolePutByte(_ byte: UInt8) {
  Console.put(byte)
}
