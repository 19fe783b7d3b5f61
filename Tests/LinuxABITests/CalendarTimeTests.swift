import Testing

@testable import LinuxABI

/// The RTC's registers to `time_t`: known instants (checked with `date -u -d ... +%s`), BCD and
/// binary coding, 12-hour mode, leap years and a clock without a century register.
@Suite struct CalendarTimeTests {
  func seconds(
    _ year: UInt64, _ month: UInt64, _ day: UInt64, _ hour: UInt64 = 0, _ minute: UInt64 = 0,
    _ second: UInt64 = 0
  ) -> UInt64 {
    CalendarTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
      .secondsSinceEpoch
  }

  @Test func knownInstants() {
    #expect(seconds(1970, 1, 1) == 0)
    #expect(seconds(2000, 2, 29) == 951_782_400)
    #expect(seconds(2000, 3, 1) == 951_868_800)
    #expect(seconds(2024, 1, 1) == 1_704_067_200)
    #expect(seconds(2024, 12, 31, 23, 59, 59) == 1_735_689_599)
    #expect(seconds(2038, 1, 19, 3, 14, 8) == 1 << 31)
    #expect(seconds(2100, 3, 1) == 4_107_542_400)  // 2100 is not a leap year
  }

  @Test func leapYears() {
    #expect(CalendarTime.isLeap(2024) && CalendarTime.isLeap(2000))
    #expect(!CalendarTime.isLeap(2100) && !CalendarTime.isLeap(2023))
  }

  @Test func bcdAndBinaryCodingsAgree() {
    let bcd = CalendarTime(
      .init(
        second: 0x59, minute: 0x30, hour: 0x23, day: 0x31, month: 0x12, year: 0x24,
        century: 0x20), binary: false, twentyFourHour: true)
    let binary = CalendarTime(
      .init(second: 59, minute: 30, hour: 23, day: 31, month: 12, year: 24, century: 20),
      binary: true, twentyFourHour: true)
    #expect(bcd == binary)
    #expect(bcd.secondsSinceEpoch == seconds(2024, 12, 31, 23, 30, 59))
  }

  @Test func twelveHourMode() {
    func hour(_ register: UInt8) -> UInt64 {
      CalendarTime(
        .init(second: 0, minute: 0, hour: register, day: 1, month: 1, year: 0x24, century: 0x20),
        binary: false, twentyFourHour: false
      ).hour
    }
    #expect(hour(0x12) == 0)  // 12 AM: midnight
    #expect(hour(0x01) == 1)
    #expect(hour(0x92) == 12)  // 12 PM: noon
    #expect(hour(0x81) == 13)
    #expect(hour(0x91) == 23)
  }

  @Test func missingCenturyMeansTwentyFirst() {
    for century: UInt8 in [0x00, 0xff] {
      let time = CalendarTime(
        .init(second: 0, minute: 0, hour: 0, day: 1, month: 1, year: 0x26, century: century),
        binary: false, twentyFourHour: true)
      #expect(time.year == 2026)
    }
  }
}
