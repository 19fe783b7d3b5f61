/// A process's real-time interval timer, ITIMER_REAL (`alarm`, `setitimer`; Linux's
/// `signal_struct.real_timer` and `it_real_incr`). One per process, kept on the process;
/// a forked child starts without one, `execve` keeps it, it dies with the process.
struct RealTimer {
  /// When it expires next (monotonic nanoseconds); nil while disarmed.
  var deadline: UInt64? = nil
  /// Its period (`it_interval`), nanoseconds; 0 for a one-shot.
  var interval: UInt64 = 0
  /// It expired with a period while its SIGALRM stayed pending: as on Linux it is re-armed
  /// only once that signal is taken (`dequeue_signal` re-arms it), on the grid of this expiry.
  var awaitingDequeue: UInt64? = nil
}

/// What `alarm` and `setitimer(ITIMER_REAL)` set going: the timer is an entry of the CPU's
/// `TimedEvents.alarms` queue, so the event timer's interrupt fires it at its deadline — no
/// polling, and nothing runs between expiries. Expiring sends SIGALRM to the process (Linux's
/// `it_real_fn`: a process-directed signal, si_code SI_KERNEL). A periodic timer is re-armed
/// when its SIGALRM is taken, as Linux does in `dequeue_signal`: at once when the signal
/// was consumed on sending, else when delivery or `rt_sigtimedwait` takes it
/// (`signalTaken`), on the grid of the first expiry (`IntervalTimerRules.nextExpiry`). So a
/// SIGALRM that is ignored stops the timer, and one that stays blocked holds it (getitimer
/// reports 0 meanwhile), as on Linux.
///
/// Without a local APIC there is no timer interrupt, and an armed timer never fires (QEMU
/// always has one).
enum RealTimers {
  /// The time left and the period, as `getitimer` reports them (nanoseconds).
  struct Setting {
    let value: UInt64
    let interval: UInt64
  }

  /// The timer's current setting (`getitimer`).
  static func setting(of process: UserProcess) -> Setting {
    catchUp(process)
    let timer = process.realTimer
    let now = MonotonicClock.nanoseconds()
    let remaining = timer.deadline.map { $0 > now ? $0 - now : 0 }
    return Setting(
      value: IntervalTimerRules.reportedValue(remaining: remaining), interval: timer.interval)
  }

  /// Sets the timer to expire `value` nanoseconds from now (0 disarms it, and forgets the
  /// period), then every `interval`; returns the old setting (`do_setitimer`).
  @discardableResult
  static func set(_ process: UserProcess, value: UInt64, interval: UInt64) -> Setting {
    let old = setting(of: process)
    disarm(process)
    guard value != 0 else {
      process.realTimer.interval = 0
      return old
    }
    process.realTimer.interval = interval
    let (deadline, overflow) = MonotonicClock.nanoseconds().addingReportingOverflow(value)
    arm(process, at: overflow ? UInt64.max : deadline)
    return old
  }

  /// The event timer's interrupt: `process`'s timer reached its deadline. Sends SIGALRM; a
  /// periodic timer goes on as Linux's would (see the type's comment).
  static func expired(_ process: UserProcess, at now: UInt64) {
    guard !process.isZombie, let deadline = process.realTimer.deadline else { return }
    process.realTimer.deadline = nil
    send(process)
    let interval = process.realTimer.interval
    guard interval != 0, !process.isZombie, process.pendingKill == nil else { return }
    if process.signals.pending.contains(.SIGALRM) {
      process.realTimer.awaitingDequeue = deadline
    } else if !process.signals.action(for: .SIGALRM).ignores(.SIGALRM) {
      arm(
        process, at: IntervalTimerRules.nextExpiry(after: deadline, interval: interval, now: now))
    }  // ignored: discarded, never taken, so never re-armed
  }

  /// SIGALRM was taken from `process`'s pending signals (delivered, or by
  /// `rt_sigtimedwait`): a periodic timer waiting for that is re-armed.
  static func signalTaken(_ process: UserProcess) {
    guard let last = process.realTimer.awaitingDequeue else { return }
    process.realTimer.awaitingDequeue = nil
    let interval = process.realTimer.interval
    guard interval != 0 else { return }
    arm(
      process,
      at: IntervalTimerRules.nextExpiry(
        after: last, interval: interval, now: MonotonicClock.nanoseconds()))
  }

  /// The process ended: its timer goes with it.
  static func processEnded(_ process: UserProcess) {
    disarm(process)
    process.realTimer.interval = 0
  }

  /// A timer waiting for its SIGALRM to be taken whose signal is gone (taken on a path
  /// that did not say so) is re-armed before anyone looks at it.
  static func catchUp(_ process: UserProcess) {
    if process.realTimer.awaitingDequeue != nil, !process.signals.pending.contains(.SIGALRM) {
      signalTaken(process)
    }
  }

  static func arm(_ process: UserProcess, at deadline: UInt64) {
    process.realTimer.deadline = deadline
    EventTimer.local?.arm(process, until: deadline)
  }

  static func disarm(_ process: UserProcess) {
    if process.realTimer.deadline != nil { EventTimer.local?.disarm(process) }
    process.realTimer.deadline = nil
    process.realTimer.awaitingDequeue = nil
  }

  /// SIGALRM to the process (`kill_pid_info(SIGALRM, SEND_SIG_PRIV, …)`), from interrupt
  /// context: a terminating outcome marks the process to end on its way back to ring 3 (the
  /// interrupt may have come from that very process: it cannot end inside the handler).
  static func send(_ process: UserProcess) {
    let outcome = ProcessFamily.send(.SIGALRM, to: process, info: .kernel(.SIGALRM))
    if case .terminates(let signal) = outcome {
      ProcessFamily.kill(process, signal: UInt64(signal.rawValue))
    }
  }
}
