import KernelSupport

/// The PC's CMOS real-time clock (a Motorola MC146818 and its successors): the wall-clock time,
/// to the second, kept by the battery-backed clock (QEMU starts it at the host's time in UTC).
/// Read once at boot: `WallClock` carries it forward on the TSC.
///
/// Registers are selected through the index port and read through the data port. While the
/// clock updates its registers (about 2 ms each second) status A's UIP bit is set and the
/// values may be torn, so a reading is taken after UIP clears and repeated until two in a row
/// agree. Status B says how the values are coded: BCD or binary, 12- or 24-hour.
enum RealTimeClock {
  /// CMOS index and data ports. Bit 7 of the index disables NMI; it stays clear.
  static let indexPort: UInt16 = 0x70
  static let dataPort: UInt16 = 0x71

  /// Register numbers (MC146818 datasheet; century as the ACPI FADT's CENTURY field names it
  /// on PCs, and as QEMU implements it).
  enum Register {
    static let seconds: UInt8 = 0x00
    static let minutes: UInt8 = 0x02
    static let hours: UInt8 = 0x04
    static let dayOfMonth: UInt8 = 0x07
    static let month: UInt8 = 0x08
    static let year: UInt8 = 0x09
    static let statusA: UInt8 = 0x0a
    static let statusB: UInt8 = 0x0b
    static let century: UInt8 = 0x32
  }

  /// Status A: update in progress.
  static let updateInProgress: UInt8 = 1 << 7
  /// Status B: DM (1 = binary, 0 = BCD) and 24/12 (1 = 24-hour).
  static let binaryMode: UInt8 = 1 << 2
  static let twentyFourHour: UInt8 = 1 << 1
  /// Give up waiting for UIP to clear after this many polls (it clears within 2 ms).
  static let pollLimit = 1_000_000
  /// Readings compared before settling for the last one.
  static let readingAttempts = 8
  /// Seconds since 1970-01-01 00:00:00 UTC.
  static func secondsSinceEpoch() -> UInt64 {
    let status = read(Register.statusB)
    return CalendarTime(
      stableReading(), binary: status & binaryMode != 0,
      twentyFourHour: status & twentyFourHour != 0
    ).secondsSinceEpoch
  }

  /// Two identical readings in a row, each taken while no update is in progress.
  static func stableReading() -> CalendarTime.Registers {
    var last = readAll()
    for _ in 0..<readingAttempts {
      let next = readAll()
      if next == last { break }
      last = next
    }
    return last
  }

  static func readAll() -> CalendarTime.Registers {
    var polls = 0
    while read(Register.statusA) & updateInProgress != 0, polls < pollLimit { polls += 1 }
    return CalendarTime.Registers(
      second: read(Register.seconds), minute: read(Register.minutes),
      hour: read(Register.hours), day: read(Register.dayOfMonth), month: read(Register.month),
      year: read(Register.year), century: read(Register.century))
  }

  static func read(_ register: UInt8) -> UInt8 {
    port_write_byte(indexPort, register)
    return port_read_byte(dataPort)
  }
}
