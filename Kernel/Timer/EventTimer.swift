import KernelSupport

/// The running CPU's event timer: its local APIC timer in one-shot mode, always programmed for
/// the next thing that must happen — the earliest deadline in its `TimerQueue`, or, while
/// something runs, the end of the current tick (`tickNanoseconds`, Linux's HZ 250).
///
/// Ticks are what the scheduler preempts on (`Scheduler.tickEnded`: a thread that ran a whole
/// tick yields to the next runnable one on its way back to ring 3). While the CPU idles
/// nothing could use a tick, so none is programmed: the CPU sleeps in `hlt` until the earliest
/// waiter's deadline (a tickless idle, Linux's NO_HZ_IDLE).
///
/// Time is the monotonic clock (the TSC, `MonotonicClock`); the APIC timer only says when to
/// look at it again. Its rate is calibrated in the same PIT window as the TSC, and the one-shot
/// count is rounded up, so an interrupt that still comes early (the two calibrations disagree
/// by a few parts in 10,000) finds the deadline not yet reached and programs the rest.
///
/// Interrupts are taken only in ring 3 and inside the idle loop's `sti; hlt`: the kernel
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
  /// The timed waits and the interval timers this CPU's interrupt serves.
  var waits = TimedEvents()
  /// When the current tick ends, in TSC ticks: every switch to a thread starts a tick, and a
  /// TSC count needs no conversion (nanoseconds of the TSC are a 128-bit division, which was
  /// a tenth of a futex hand-off's instructions).
  var nextTick: UInt64
  /// A tick's length in TSC ticks.
  let tickLength: UInt64
  /// Whether the CPU runs its idle thread (no tick then).
  var idle = true
  var statistics = TimerStatistics()

  init(apic: LocalAPIC, countsPerSecond: UInt64) {
    self.apic = apic
    self.countsPerSecond = countsPerSecond
    longestArming = UInt64(LocalAPIC.maximumCount) * Self.nanosecondsPerSecond / countsPerSecond
    tickLength = MonotonicClock.tscRate.ticks(ofNanoseconds: Self.tickNanoseconds)
    nextTick = timestamp_counter_read() &+ tickLength
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

  /// The timer interrupt (vector `InterruptVector.localTimer`): counts a tick if one ended
  /// while a thread ran (and lets the scheduler preempt it), makes the waiters whose deadline
  /// passed runnable, fires the interval timers that expired (SIGALRM), programs the next
  /// event, signals EOI.
  func interrupt(fromUserMode: Bool) {
    let counter = timestamp_counter_read()
    let now = MonotonicClock.nanoseconds(ofTicks: counter)
    statistics.interrupts += 1
    if !idle, counter >= nextTick {
      statistics.ticks += 1
      if fromUserMode { statistics.userTicks += 1 }
      nextTick = counter &+ tickLength
      Scheduler.shared.tickEnded()
    }
    let deadline = waits.threads.earliestDeadline
    let expired = waits.threads.removeExpired(at: now)
    if !expired.isEmpty, let deadline {
      statistics.wakeups += UInt64(expired.count)
      statistics.latestWakeNanoseconds = now - deadline
    }
    for thread in expired {
      thread.timedWait = false
      Scheduler.shared.wake(thread, .timedOut)
    }
    for process in waits.alarms.removeExpired(at: now) { RealTimers.expired(process, at: now) }
    armNextEvent(at: now)
    apic.signalEndOfInterrupt()
  }

  /// Programs the one-shot for the earliest waiter's deadline or, while a thread runs, the
  /// tick's end if sooner. Idle with no waiter: nothing (a stale one-shot that still fires
  /// finds nothing to do).
  func armNextEvent(at now: UInt64) {
    var deadline = waits.earliestDeadline ?? .max
    if !idle { deadline = min(deadline, MonotonicClock.nanoseconds(ofTicks: nextTick)) }
    guard deadline != .max else { return }
    apic.interrupt(afterCounts: counts(from: now, to: deadline))
  }

  /// A thread blocks until `deadline`: queue it and program the timer.
  func enqueue(_ thread: KernelThread, until deadline: UInt64) {
    statistics.waits += 1
    waits.threads.enqueue(thread, until: deadline)
    armNextEvent(at: MonotonicClock.nanoseconds())
  }

  /// A timed waiter was woken before its deadline.
  func cancel(_ thread: KernelThread) {
    waits.threads.remove(thread)
  }

  /// A process's interval timer is armed for `deadline` (it was not queued).
  func arm(_ process: UserProcess, until deadline: UInt64) {
    waits.alarms.enqueue(process, until: deadline)
    armNextEvent(at: MonotonicClock.nanoseconds())
  }

  /// A process's interval timer is disarmed (or about to be re-armed).
  func disarm(_ process: UserProcess) {
    waits.alarms.remove(process)
  }

  /// The scheduler switched to a thread (a new tick starts for it) or to the idle thread
  /// (the tick stops). The timer is reprogrammed only when the CPU leaves idle: between
  /// threads the one-shot already armed is at or before the new tick's end (an early
  /// interrupt finds the tick not over and programs the rest), and going idle a pending tick
  /// interrupt only finds nothing to count. An APIC write per switch was the dearest part of
  /// a switch under TCG after CR3.
  func switched(toIdle: Bool, atCounter counter: UInt64) {
    let wasIdle = idle
    idle = toIdle
    guard !toIdle else { return }
    nextTick = counter &+ tickLength
    if wasIdle { armNextEvent(at: MonotonicClock.nanoseconds(ofTicks: counter)) }
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
}
