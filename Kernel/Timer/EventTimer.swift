import KernelSupport

/// The running CPU's event timer: its local APIC timer in one-shot mode, always programmed for
/// the next thing that must happen — the earliest deadline in its `TimerQueue`, or, while
/// something runs, the end of the current tick (`tickNanoseconds`, Linux's HZ 250).
///
/// Ticks are what a scheduler will preempt on; today they only prove that user code is
/// interrupted (a `for (;;);` program still runs until tools/run-elf's timeout ends it). While
/// the only thread is blocked nothing could use a tick, so none is programmed: the CPU sleeps
/// in `hlt` until the waiter's deadline (a tickless idle, Linux's NO_HZ_IDLE).
///
/// Time is the monotonic clock (the TSC, `MonotonicClock`); the APIC timer only says when to
/// look at it again. Its rate is calibrated in the same PIT window as the TSC, and the one-shot
/// count is rounded up, so an interrupt that still comes early (the two calibrations disagree
/// by a few parts in 10,000) finds the deadline not yet reached and programs the rest.
///
/// Interrupts are taken only in ring 3 and inside `block(until:)`'s `sti; hlt`: the kernel
/// otherwise runs with IF clear (SYSCALL's FMASK and the interrupt gates clear it). So a timer
/// interrupt never lands in the middle of kernel work — in particular not in a page fault's
/// handling, which runs entirely with interrupts masked; an interrupt that becomes pending
/// meanwhile is taken as soon as the CPU is back in ring 3.
final class EventTimer {
  /// The running CPU's timer, once `start` found an APIC. A per-CPU field: it moves into the
  /// per-CPU structure (issue 9 §1) when that exists.
  nonisolated(unsafe) static var local: EventTimer? = nil

  /// The tick: 4 ms, as Linux with Debian's HZ = 250.
  static let tickNanoseconds = TimeCalls.tickNanoseconds
  static let nanosecondsPerSecond = LinuxStructures.nanosecondsPerSecond

  let apic: LocalAPIC
  /// APIC timer counts per second (the bus clock / 16), measured.
  let countsPerSecond: UInt64
  /// The longest interval one 32-bit count can cover, in nanoseconds.
  let longestArming: UInt64
  var waits = TimerQueue()
  /// When the current tick ends (monotonic nanoseconds).
  var nextTick: UInt64
  var statistics = TimerStatistics()

  init(apic: LocalAPIC, countsPerSecond: UInt64) {
    self.apic = apic
    self.countsPerSecond = countsPerSecond
    longestArming = UInt64(LocalAPIC.maximumCount) * Self.nanosecondsPerSecond / countsPerSecond
    nextTick = MonotonicClock.nanoseconds() + Self.tickNanoseconds
  }

  /// Calibrates the clocks and, when the CPU has a usable local APIC, starts its timer ticking
  /// (once). Without one the kernel has no interrupt to wake a `hlt`, and waits spin.
  static func start() {
    guard local == nil else { return }
    guard let apic = LocalAPIC.locate() else {
      _ = MonotonicClock.calibrate()
      ProcessConsole.line("no local APIC in xAPIC mode: no timer interrupts, waits spin")
      return
    }
    apic.enable()
    guard let rate = MonotonicClock.calibrate(alongside: apic) else {
      ProcessConsole.line("the local APIC timer could not be calibrated: waits spin")
      return
    }
    let timer = EventTimer(apic: apic, countsPerSecond: rate)
    local = timer
    ProcessConsole.line(timer.description)
    timer.armNextEvent(at: MonotonicClock.nanoseconds())
  }

  /// The boot line: where the APIC is, its mode, the measured rates.
  var description: String {
    let hertzPerKilohertz: UInt64 = 1000
    return "local APIC at " + hex(apic.physicalBase) + " (xAPIC; x2APIC "
      + (LocalAPIC.offersX2APIC ? "offered" : "not offered") + "), timer "
      + String(countsPerSecond / hertzPerKilohertz) + " kHz (bus clock / "
      + String(LocalAPIC.divisor) + "), TSC "
      + String(MonotonicClock.tscFrequency / hertzPerKilohertz)
      + " kHz, both calibrated against the PIT; tick "
      + String(Self.tickNanoseconds / (Self.nanosecondsPerSecond / hertzPerKilohertz)) + " ms"
  }

  /// The timer interrupt (vector `InterruptVector.localTimer`): counts a tick if one ended,
  /// wakes the waiters whose deadline passed, programs the next event, signals EOI.
  func interrupt(fromUserMode: Bool) {
    let now = MonotonicClock.nanoseconds()
    statistics.interrupts += 1
    if waits.isEmpty, now >= nextTick {
      statistics.ticks += 1
      if fromUserMode { statistics.userTicks += 1 }
      nextTick = now + Self.tickNanoseconds
    }
    let deadline = waits.earliestDeadline
    if waits.wakeExpired(at: now) > 0, let deadline {
      statistics.wakeups += 1
      statistics.latestWakeNanoseconds = now - deadline
    }
    armNextEvent(at: now)
    apic.signalEndOfInterrupt()
  }

  /// Programs the one-shot for the earliest waiter's deadline, or the tick's end when no one
  /// waits (one thread: a waiter means nothing runs).
  func armNextEvent(at now: UInt64) {
    if waits.isWoken { return }
    let deadline = waits.earliestDeadline ?? nextTick
    apic.interrupt(afterCounts: counts(from: now, to: deadline))
  }

  /// APIC counts from `now` until `deadline`, rounded up (never early by rounding), at least 1,
  /// at most one arming's worth (a later deadline is reached by re-arming on the way).
  func counts(from now: UInt64, to deadline: UInt64) -> UInt32 {
    guard deadline > now else { return 1 }
    let nanoseconds = min(deadline - now, longestArming)
    let counts =
      (nanoseconds * countsPerSecond + Self.nanosecondsPerSecond - 1) / Self.nanosecondsPerSecond
    return UInt32(min(counts, UInt64(LocalAPIC.maximumCount)))
  }

  /// Blocks the running thread until the monotonic clock reaches `deadline`: enqueues it,
  /// halts until the timer interrupt wakes it, then lets the tick resume. Called with
  /// interrupts masked (a system call) and returns so.
  func block(until deadline: UInt64) {
    var now = MonotonicClock.nanoseconds()
    guard now < deadline else { return }
    statistics.waits += 1
    waits.enqueue(until: deadline)
    armNextEvent(at: now)
    while !waits.isWoken {
      statistics.halts += 1
      interrupts_enable_and_halt()
      interrupts_disable()
    }
    waits.remove()
    now = MonotonicClock.nanoseconds()
    nextTick = now + Self.tickNanoseconds
    armNextEvent(at: now)
  }
}
