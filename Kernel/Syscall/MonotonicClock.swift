import KernelSupport

/// Time for `clock_gettime`: the TSC, calibrated once against the PIT (Intel 8254: channel 2
/// counts a known interval while the TSC runs; its OUT pin shows in port 0x61 bit 5). The same
/// windows calibrate the local APIC timer, which counts from the same moments: a few 2 ms
/// windows at boot measure both.
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

  /// At least this many precise windows (`ClockCalibration`) are measured, at most
  /// `windowLimit` windows in all: 3 × 2 ms is the boot's cost on a quiet host; a window
  /// disturbed at an edge (the vCPU descheduled there) costs one more.
  static let preciseWindowsWanted = 3
  static let windowLimit = 10

  /// TSC ticks per second, once calibrated (`tscRate`'s figure).
  nonisolated(unsafe) static var tscFrequency: UInt64 = 0

  /// The TSC's rate, for conversions (1 GHz before calibration).
  static var tscRate: TickRate {
    TickRate(perSecond: tscFrequency == 0 ? fallbackFrequency : tscFrequency)
  }

  /// Measures the TSC's frequency (once), and that of `apic`'s timer in the same windows: its
  /// counts per second, or nil without an APIC or when the PIT never answered.
  ///
  /// Several windows are measured and `ClockCalibration` chooses among them: under TCG on a
  /// loaded host one window came out at 5.5, 7.4, 36 GHz for a true 2.46 (the vCPU thread was
  /// descheduled between the PIT's edge and the TSC's read), which the brackets around each
  /// edge show.
  static func calibrate(alongside apic: LocalAPIC? = nil) -> UInt64? {
    guard tscFrequency == 0 else { return nil }
    var windows: [CalibrationWindow] = []
    var precise = 0
    while windows.count < windowLimit, precise < preciseWindowsWanted {
      guard let window = measureWindow(alongside: apic) else { break }
      windows.append(window)
      if window.isPrecise { precise += 1 }
    }
    guard
      let rates = ClockCalibration.rates(
        of: windows, pitTicks: calibrationTicks, pitFrequency: pitFrequency)
    else {
      tscFrequency = fallbackFrequency
      return nil
    }
    tscFrequency = rates.tsc.perSecond
    ProcessConsole.line(
      "clock calibration: " + String(rates.preciseWindows) + " of " + String(windows.count)
        + " PIT windows precise to 1/" + String(ClockCalibration.tolerance))
    return rates.apic?.perSecond
  }

  /// One PIT window: nil when the PIT never answered.
  ///
  /// The gate is raised first and the count written last, bracketed by TSC reads: in mode 0
  /// with the gate high the countdown starts with the count's write (as Linux's
  /// `pit_calibrate_tsc` does it). Counting from the gate's rising edge instead is what a real
  /// 8254 does but not QEMU's, which starts mode 0 at the write and ignores the gate.
  ///
  /// The APIC timer is measured against the TSC, not the PIT's edges: its start and its
  /// reading are each bracketed by two TSC reads, so the I/O around the PIT does not count.
  static func measureWindow(alongside apic: LocalAPIC?) -> CalibrationWindow? {
    let control = port_read_byte(controlPort) & ~(gateBit | speakerBit)
    port_write_byte(controlPort, control | gateBit)
    let apicStart = apic.map { apic in bracket { apic.startCountingMasked() } }
    port_write_byte(commandPort, channel2OneShot)
    port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks))
    let start = bracket {
      port_write_byte(channel2Port, UInt8(truncatingIfNeeded: calibrationTicks >> 8))
    }
    let end = waitForOutput()
    var counts: UInt64 = 0
    let apicEnd = apic.map { apic in bracket { counts = apic.countsElapsedAndStop() } }
    port_write_byte(controlPort, control)
    guard let end else { return nil }
    return CalibrationWindow(
      start: start, end: end, apicStart: apicStart, apicEnd: apicEnd, apicCounts: counts)
  }

  /// Polls channel 2's OUT until it is high: the edge lies after the last low poll began and
  /// before the TSC read that follows the first high one. Nil after `pollLimit` polls.
  static func waitForOutput() -> TimestampBracket? {
    var previous = timestamp_counter_read()
    var current = previous
    for _ in 0..<pollLimit {
      let high = port_read_byte(controlPort) & outputBit != 0
      let now = timestamp_counter_read()
      if high { return TimestampBracket(before: previous, after: now) }
      previous = current
      current = now
    }
    return nil
  }

  /// The TSC before and after `body`.
  static func bracket(_ body: () -> Void) -> TimestampBracket {
    let before = timestamp_counter_read()
    body()
    return TimestampBracket(before: before, after: timestamp_counter_read())
  }

  /// Nanoseconds since reset (the TSC starts at 0 with the machine).
  static func nanoseconds() -> UInt64 {
    nanoseconds(ofTicks: timestamp_counter_read())
  }

  /// `ticks` of the TSC in nanoseconds: the full-width product, which no rate or count
  /// overflows (`TickRate`).
  static func nanoseconds(ofTicks ticks: UInt64) -> UInt64 {
    tscRate.nanoseconds(ofTicks: ticks)
  }
}
