import KernelSupport

/// Time for `clock_gettime`: the TSC, calibrated once against the PIT (Intel 8254: channel 2
/// counts a known interval while the TSC runs; its OUT pin shows in port 0x61 bit 5).
enum MonotonicClock {
  /// The PIT's input clock, Hz.
  static let pitFrequency: UInt64 = 1_193_182
  /// The calibration interval, in milliseconds. It is spent busy-waiting before the first
  /// process runs, i.e. it is boot time: 2 ms (it was 10) keeps the error of the measured
  /// frequency at the granularity of one poll of port 0x61 (about a microsecond under TCG, so
  /// ~0.05%) while the boot is 8 ms shorter.
  static let calibrationMilliseconds: UInt64 = 2
  static let millisecondsPerSecond: UInt64 = 1_000
  /// The calibration interval in PIT ticks (2,386).
  static let calibrationTicks: UInt64 = pitFrequency * calibrationMilliseconds / millisecondsPerSecond
  /// Port 0x61 (NMI status and control): bit 0 gates channel 2, bit 1 drives the speaker,
  /// bit 5 reads channel 2's OUT.
  static let controlPort: UInt16 = 0x61
  static let gateBit: UInt8 = 1 << 0
  static let speakerBit: UInt8 = 1 << 1
  static let outputBit: UInt8 = 1 << 5
  /// The PIT's mode/command register and channel 2's data port.
  static let commandPort: UInt16 = 0x43
  static let channel2Port: UInt16 = 0x42
  /// Command: channel 2 (bits 7-6 = 10), lobyte/hibyte access (11), mode 0 (000), binary.
  static let channel2OneShot: UInt8 = 0b1011_0000
  /// Give up waiting for the PIT after this many polls (and assume 1 GHz).
  static let pollLimit = 50_000_000
  static let fallbackFrequency: UInt64 = 1_000_000_000

  /// TSC ticks per second, once calibrated.
  nonisolated(unsafe) static var tscFrequency: UInt64 = 0

  /// Measures the TSC's frequency (once).
  static func calibrate() {
    guard tscFrequency == 0 else { return }
    let control = port_read_byte(controlPort) & ~(gateBit | speakerBit)
    port_write_byte(controlPort, control)
    port_write_byte(commandPort, channel2OneShot)
    port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks))
    port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks >> 8))
    let start = timestamp_counter_read()
    port_write_byte(controlPort, control | gateBit)
    var polls = 0
    while port_read_byte(controlPort) & outputBit == 0, polls < pollLimit { polls += 1 }
    let elapsed = timestamp_counter_read() &- start
    port_write_byte(controlPort, control)
    tscFrequency =
      polls < pollLimit && elapsed > 0
      ? elapsed * pitFrequency / calibrationTicks : fallbackFrequency
  }

  /// Nanoseconds since reset (the TSC starts at 0 with the machine).
  static func nanoseconds() -> UInt64 {
    nanoseconds(ofTicks: timestamp_counter_read())
  }

  /// `ticks` of the TSC in nanoseconds, without overflowing the intermediate product.
  static func nanoseconds(ofTicks ticks: UInt64) -> UInt64 {
    let frequency = max(tscFrequency, 1)
    let perSecond = LinuxStructures.nanosecondsPerSecond
    return ticks / frequency * perSecond + ticks % frequency * perSecond / frequency
  }
}
