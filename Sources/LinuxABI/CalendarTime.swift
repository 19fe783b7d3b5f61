/// A UTC date and time of day as a PC's CMOS real-time clock keeps it, and the `time_t` it
/// stands for (seconds since 1970-01-01 00:00:00 UTC, no leap seconds).
///
/// The kernel's RTC driver (Kernel/Arch/RealTimeClock.swift) reads the registers; decoding and
/// conversion live here so that host tests can check them (BCD, 12-hour mode, leap years).
public struct CalendarTime: Equatable, Sendable {
  /// The clock's time registers as read, still coded as its status register B says.
  public struct Registers: Equatable, Sendable {
    public var second, minute, hour, day, month, year, century: UInt8

    public init(
      second: UInt8, minute: UInt8, hour: UInt8, day: UInt8, month: UInt8, year: UInt8,
      century: UInt8
    ) {
      (self.second, self.minute, self.hour) = (second, minute, hour)
      (self.day, self.month, self.year, self.century) = (day, month, year, century)
    }
  }

  public static let secondsPerMinute: UInt64 = 60
  public static let secondsPerHour: UInt64 = 3600
  public static let secondsPerDay: UInt64 = 86_400
  public static let epochYear: UInt64 = 1970
  static let hoursPerHalfDay: UInt64 = 12
  /// The hours register's PM flag in 12-hour mode (MC146818).
  public static let afternoonFlag: UInt8 = 1 << 7
  /// The century assumed when the century register holds nothing sensible (a clock without
  /// one reads 0 or 0xff there).
  public static let defaultCentury: UInt64 = 20
  /// Days before each month in a common year.
  static let daysBeforeMonth: [UInt64] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]

  public let year, month, day, hour, minute, second: UInt64

  public init(
    year: UInt64, month: UInt64, day: UInt64, hour: UInt64, minute: UInt64, second: UInt64
  ) {
    self.year = year
    self.month = min(max(month, 1), 12)
    self.day = max(day, 1)
    (self.hour, self.minute, self.second) = (hour, minute, second)
  }

  /// Decodes clock registers: BCD unless `binary`; in 12-hour mode (`twentyFourHour` false)
  /// hours run 12, 1, …, 11 with bit 7 set after noon.
  public init(_ registers: Registers, binary: Bool, twentyFourHour: Bool) {
    func value(_ raw: UInt8) -> UInt64 {
      binary ? UInt64(raw) : UInt64(raw >> 4) * 10 + UInt64(raw & 0x0f)
    }
    var hour = value(registers.hour & ~Self.afternoonFlag)
    if !twentyFourHour {
      hour %= Self.hoursPerHalfDay
      if registers.hour & Self.afternoonFlag != 0 { hour += Self.hoursPerHalfDay }
    }
    var century = value(registers.century)
    if century < Self.epochYear / 100 || century > 99 { century = Self.defaultCentury }
    self.init(
      year: century * 100 + value(registers.year), month: value(registers.month),
      day: value(registers.day), hour: hour, minute: value(registers.minute),
      second: value(registers.second))
  }

  public static func isLeap(_ year: UInt64) -> Bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
  }

  /// Days from 1970-01-01 to the start of this date (0 for anything earlier).
  public var daysSinceEpoch: UInt64 {
    guard year >= Self.epochYear else { return 0 }
    var days: UInt64 = 0
    for earlier in Self.epochYear..<year { days += Self.isLeap(earlier) ? 366 : 365 }
    days += Self.daysBeforeMonth[Int(month - 1)]
    if month > 2, Self.isLeap(year) { days += 1 }
    return days + day - 1
  }

  public var secondsSinceEpoch: UInt64 {
    daysSinceEpoch * Self.secondsPerDay + hour * Self.secondsPerHour + minute
      * Self.secondsPerMinute + second
  }
}
