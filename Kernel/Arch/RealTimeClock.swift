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
  /// The hours register's PM flag in 12-hour mode.
  static let afternoon: UInt8 = 1 << 7
  /// Give up waiting for UIP to clear after this many polls (it clears within 2 ms).
  static let pollLimit = 1_000_000
  /// Readings compared before settling for the last one.
  static let readingAttempts = 8
  /// The century when the register reads as invalid (a clock without one).
  static let defaultCentury: UInt64 = 20

  /// The time registers as read, still coded as status B says.
  struct Reading: Equatable {
    var second, minute, hour, day, month, year, century: UInt8
  }

  /// Seconds since 1970-01-01 00:00:00 UTC.
  static func secondsSinceEpoch() -> UInt64 {
    let status = read(Register.statusB)
    return CalendarTime(stableReading(), status: status).secondsSinceEpoch
  }

  /// Two identical readings in a row, each taken while no update is in progress.
  static func stableReading() -> Reading {
    var last = readAll()
    for _ in 0..<readingAttempts {
      let next = readAll()
      if next == last { break }
      last = next
    }
    return last
  }

  static func readAll() -> Reading {
    var polls = 0
    while read(Register.statusA) & updateInProgress != 0, polls < pollLimit { polls += 1 }
    return Reading(
      second: read(Register.seconds), minute: read(Register.minutes),
      hour: read(Register.hours), day: read(Register.dayOfMonth), month: read(Register.month),
      year: read(Register.year), century: read(Register.century))
  }

  static func read(_ register: UInt8) -> UInt8 {
    port_write_byte(indexPort, register)
    return port_read_byte(dataPort)
  }
}

/// A calendar date and time of day (UTC) decoded from the clock's registers.
struct CalendarTime {
  static let secondsPerMinute: UInt64 = 60
  static let secondsPerHour: UInt64 = 3600
  static let secondsPerDay: UInt64 = 86_400
  static let epochYear: UInt64 = 1970
  static let hoursPerHalfDay: UInt64 = 12
  /// Days before each month in a common year.
  static let daysBeforeMonth: [UInt64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

  let year, month, day, hour, minute, second: UInt64

  /// Decodes `reading` as status register B describes it.
  init(_ reading: RealTimeClock.Reading, status: UInt8) {
    let binary = status & RealTimeClock.binaryMode != 0
    func value(_ raw: UInt8) -> UInt64 {
      binary ? UInt64(raw) : UInt64(raw >> 4) * 10 + UInt64(raw & 0x0f)
    }
    var hour = value(reading.hour & ~RealTimeClock.afternoon)
    if status & RealTimeClock.twentyFourHour == 0 {
      // 12-hour mode: 12 AM is midnight, 12 PM noon.
      hour %= Self.hoursPerHalfDay
      if reading.hour & RealTimeClock.afternoon != 0 { hour += Self.hoursPerHalfDay }
    }
    var century = value(reading.century)
    if century < Self.epochYear / 100 || century > 99 { century = RealTimeClock.defaultCentury }
    self.year = century * 100 + value(reading.year)
    self.month = min(max(value(reading.month), 1), 12)
    self.day = max(value(reading.day), 1)
    self.hour = hour
    self.minute = value(reading.minute)
    self.second = value(reading.second)
  }

  static func isLeap(_ year: UInt64) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// Days from 1970-01-01 to the start of this date.
  var daysSinceEpoch: UInt64 {
    guard year >= Self.epochYear else { return 0 }
    var days: UInt64 = 0
    for earlier in Self.epochYear..<year { days += Self.isLeap(earlier) ? 366 : 365 }
    days += Self.daysBeforeMonth[Int(month - 1)]
    if month > 2, Self.isLeap(year) { days += 1 }
    return days + day - 1
  }

  var secondsSinceEpoch: UInt64 {
    daysSinceEpoch * Self.secondsPerDay + hour * Self.secondsPerHour + minute
      * Self.secondsPerMinute + second
  }
}
