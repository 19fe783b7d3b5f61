import KernelSupport

/// Time for `clock_gettime`: the TSC, calibrated once against the PIT (Intel 8254: channel 2
/// counts a known interval while the TSC runs; its OUT pin shows in port 0x61 bit 5). The same
/// window calibrates the local APIC timer, which counts from the same moment: one 2 ms wait at
/// boot measures both.
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
  static let calibrationTicks: UInt64 =
    pitFrequency * calibrationMilliseconds / millisecondsPerSecond
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

  /// Measures the TSC's frequency (once), and that of `apic`'s timer in the same window: its
  /// counts per second, or nil without an APIC or when the PIT never answered.
  ///
  /// The gate is raised first and the count written last, right before the TSC is read: in
  /// mode 0 with the gate high the countdown starts with the count's write (as Linux's
  /// `pit_calibrate_tsc` does it). Counting from the gate's rising edge instead is what a real
  /// 8254 does but not QEMU's, which starts mode 0 at the write and ignores the gate: the
  /// window then began before the first TSC read and the TSC came out 0.5% slow.
  ///
  /// The APIC timer is measured against the TSC, not the PIT's edges: its start and its
  /// reading are each bracketed by two TSC reads and timed at their midpoint, so the I/O
  /// around the PIT (slow under TCG: ~10 µs of a 2 ms window, 0.4%, when the APIC count simply
  /// ran from before the PIT's start to after its end) does not count.
  static func calibrate(alongside apic: LocalAPIC? = nil) -> UInt64? {
    guard tscFrequency == 0 else { return nil }
    let control = port_read_byte(controlPort) & ~(gateBit | speakerBit)
    port_write_byte(controlPort, control | gateBit)
    let apicStart = apic.map { apic in midpoint { apic.startCountingMasked() } }
    port_write_byte(commandPort, channel2OneShot)
    port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks))
    port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks >> 8))
    let start = timestamp_counter_read()
    var polls = 0
    while port_read_byte(controlPort) & outputBit == 0, polls < pollLimit { polls += 1 }
    let elapsed = timestamp_counter_read() &- start
    var counts: UInt64 = 0
    let apicEnd = apic.map { apic in midpoint { counts = apic.countsElapsedAndStop() } }
    port_write_byte(controlPort, control)
    let answered = polls < pollLimit && elapsed > 0
    tscFrequency = answered ? elapsed * pitFrequency / calibrationTicks : fallbackFrequency
    guard answered, let apicStart, let apicEnd, apicEnd > apicStart, counts > 0 else {
      return nil
    }
    return counts * tscFrequency / (apicEnd - apicStart)
  }

  /// The TSC half-way through `body`.
  static func midpoint(_ body: () -> Void) -> UInt64 {
    let before = timestamp_counter_read()
    body()
    let after = timestamp_counter_read()
    return before + (after &- before) / 2
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
