/// A process's signals while the kernel cannot yet deliver one to a handler: the dispositions
/// `rt_sigaction` sets, the process-wide pending set, and Linux's default actions
/// (kernel/signal.c) applied to every signal the process sends itself. Each thread's mask and
/// own pending set are its `ThreadSignalState`, passed to the calls that need them.
///
/// - A signal that is blocked stays pending (even one ignored: its disposition may change
///   before it is unblocked), at most once per number.
/// - An unblocked signal whose disposition is `SIG_IGN`, or `SIG_DFL` with a default action of
///   ignore (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) or stop, is discarded. There is no job
///   control: nothing could ever continue a stopped process, so stop signals do nothing
///   (Linux discards SIGTSTP, SIGTTIN and SIGTTOU in an orphaned process group too; only
///   SIGSTOP differs).
/// - An unblocked signal with `SIG_DFL` and a terminating default action ends the process:
///   `.terminates`. SIGKILL always does; it and SIGSTOP cannot be caught, blocked or ignored.
/// - A caught signal stays pending until the thread's next return to user mode, where
///   `nextDelivery` hands it to the kernel's delivery (Kernel/Signal/SignalDelivery.swift:
///   a signal frame, the handler, `rt_sigreturn`); `SA_RESETHAND` resets the disposition to
///   `SIG_DFL` then, as Linux's `get_signal`.
///
/// Every change that can make a pending signal deliverable (unblocking it, resetting its
/// handler to `SIG_DFL`) is followed by `deliver()`, as Linux delivers on the way back to user
/// mode.
public struct SignalState: Sendable {
  /// The disposition of each signal; index n − 1 for signal n (internal: exec resets them
  /// without sigaction's discarding, SignalState+Exec.swift).
  var actions = [SignalAction](repeating: .default, count: LinuxSignal.count)
  /// Signals sent to the whole process (`kill`), not acted on yet (Linux's
  /// `signal_struct.shared_pending`); each thread's own are in its `ThreadSignalState`.
  public private(set) var pending = SignalSet.empty
  /// What each signal of `pending` carries for its handler (one per number).
  var pendingInfo = [SignalInfo]()

  /// `how` of `rt_sigprocmask` (asm-generic/signal-defs.h).
  public static let SIG_BLOCK: Int32 = 0
  public static let SIG_UNBLOCK: Int32 = 1
  public static let SIG_SETMASK: Int32 = 2

  /// The stop signals: SIGCONT discards them when it is sent, and they discard SIGCONT.
  static let stopSignals = SignalSet(.SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU)

  /// Every signal with `SIG_DFL`, nothing pending: what a new program starts with.
  public init() {}

  /// The disposition of `signal`.
  public func action(for signal: LinuxSignal) -> SignalAction { actions[signal.rawValue - 1] }

  /// What `rt_sigpending` reports for `thread`: the pending signals (the process's and the
  /// thread's) that it blocks.
  public func reportedPending(_ thread: ThreadSignalState) -> SignalSet {
    pending.union(thread.pending).intersection(thread.blocked)
  }

  /// Sends `signal` to the process (`kill`), or to `thread` alone when `toThread` (`tkill`,
  /// `tgkill`); `thread` is the one whose mask decides (the only thread). `info` is what its
  /// handler will be told (by default: `SI_USER`/`SI_TKILL` from pid 0). The answer says
  /// whether it ends the process now (`complete_signal`'s fatal case: unblocked, `SIG_DFL`, a
  /// terminating default action); a caught one stays pending until the thread next returns
  /// to user mode (`isDeliverable`).
  public mutating func send(
    _ signal: LinuxSignal, info: SignalInfo? = nil, to thread: inout ThreadSignalState,
    toThread: Bool = false
  ) -> SignalOutcome {
    if signal == .SIGKILL { return .terminates(.SIGKILL) }
    if signal == .SIGCONT {
      discard(Self.stopSignals, thread: &thread)
    } else if signal.defaultAction == .stop {
      discard(SignalSet(.SIGCONT), thread: &thread)
    }
    let blocked = thread.blocked.contains(signal)
    // `sig_ignored`: an ignored signal is dropped at once, unless blocked.
    if !blocked && action(for: signal).ignores(signal) { return .continues }
    // A stop signal with `SIG_DFL` would stop the process; with no job control nothing could
    // continue it, so it does nothing (see the type's notes).
    if !blocked && action(for: signal).handler == SignalAction.defaultHandler
      && signal.defaultAction == .stop
    {
      return .continues
    }
    if !blocked && action(for: signal).handler == SignalAction.defaultHandler
      && signal.defaultAction == .terminate
    {
      return .terminates(signal)
    }
    let queued = info ?? .sent(signal, by: 0, toThread: toThread)
    if toThread {
      thread.queue(queued)
    } else if !pending.contains(signal) {
      pending.insert(signal)
      pendingInfo.append(queued)
    }
    return .continues
  }

  /// A CPU exception's signal (`force_sig_fault`): if the thread blocks it or its disposition
  /// is not a handler, the process ends (Linux unblocks it and resets it to `SIG_DFL`, whose
  /// action for every exception signal is to terminate); otherwise it is queued on the thread,
  /// ahead of everything else (`next_signal` takes synchronous signals first).
  public mutating func force(_ info: SignalInfo, on thread: inout ThreadSignalState)
    -> SignalOutcome
  {
    let handler = action(for: info.signal).handler
    if thread.blocked.contains(info.signal) || handler == SignalAction.defaultHandler
      || handler == SignalAction.ignoreHandler
    {
      return .terminates(info.signal)
    }
    thread.pending.remove(info.signal)
    thread.pendingInfo.removeAll { $0.signal == info.signal }
    thread.queue(info)
    return .continues
  }

  /// Whether a signal is pending that `thread` does not block: the return to user mode has
  /// work (a handler to run, a signal to discard, or one that kills).
  public func isDeliverable(to thread: ThreadSignalState) -> Bool {
    !pending.union(thread.pending).subtracting(thread.blocked).isEmpty
  }

  /// What the next return to user mode does (`get_signal`): discards the ignored pending
  /// signals `thread` does not block, and answers the first that remains — `.terminate` for a
  /// terminating default action, `.handle` with the action for a caught one (`SA_RESETHAND`
  /// then resets it to `SIG_DFL`, as Linux at this point). nil: nothing to do. The mask is the
  /// caller's to change once the frame is written.
  public mutating func nextDelivery(thread: inout ThreadSignalState) -> PendingSignalAction? {
    while let info = takeNextInfo(excluding: thread.blocked, thread: &thread) {
      let signal = info.signal
      let action = action(for: signal)
      switch action.handler {
      case SignalAction.defaultHandler:
        if signal.defaultAction == .terminate { return .terminate(signal) }
      case SignalAction.ignoreHandler:
        break
      default:
        if action.flags & SignalAction.SA_RESETHAND != 0 {
          actions[signal.rawValue - 1] = .default
        }
        return .handle(info, action)
      }
    }
    return nil
  }

  /// Drops `signals` from the process's and the thread's pending sets.
  mutating func discard(_ signals: SignalSet, thread: inout ThreadSignalState) {
    pending = pending.subtracting(signals)
    pendingInfo.removeAll { signals.contains($0.signal) }
    thread.pending = thread.pending.subtracting(signals)
    thread.pendingInfo.removeAll { signals.contains($0.signal) }
  }

  /// `rt_sigaction`: returns the old disposition of signal `number` and, when `new` is given,
  /// sets it. EINVAL for a number outside 1...64, or for changing SIGKILL's or SIGSTOP's.
  /// Unknown flags are dropped and SIGKILL/SIGSTOP removed from the handler's mask; a signal
  /// made ignored loses its pending instance (the process's; each thread's is dropped when
  /// it comes up for delivery), blocked or not (POSIX 3.3.1.3).
  public mutating func changeAction(of number: Int, to new: SignalAction?) throws(LinuxErrno)
    -> SignalAction
  {
    guard let signal = LinuxSignal(rawValue: number) else { throw .EINVAL }
    guard new == nil || !signal.isKernelOnly else { throw .EINVAL }
    let old = action(for: signal)
    guard var new else { return old }
    new.flags &= SignalAction.knownFlags
    new.mask = new.mask.subtracting(.kernelOnly)
    actions[signal.rawValue - 1] = new
    if new.ignores(signal) {
      pending.remove(signal)
      pendingInfo.removeAll { $0.signal == signal }
    }
    return old
  }

  /// Acts at once on what needs no handler: discards the ignored pending signals `thread`
  /// does not block, in Linux's order, and answers `.terminates` if one with a terminating
  /// default action comes up before any caught one (which stays pending for the return to
  /// user mode, `nextDelivery`).
  public mutating func deliver(thread: inout ThreadSignalState) -> SignalOutcome {
    while let signal = pending.union(thread.pending).subtracting(thread.blocked).first {
      let action = action(for: signal)
      if action.handler != SignalAction.defaultHandler
        && action.handler != SignalAction.ignoreHandler
      {
        return .continues
      }
      _ = takeNextInfo(excluding: SignalSet(rawValue: ~SignalSet(signal).rawValue), thread: &thread)
      if action.handler == SignalAction.defaultHandler && signal.defaultAction == .terminate {
        return .terminates(signal)
      }
    }
    return .continues
  }

  /// Removes and returns the pending signal Linux takes next that `blocked` does not hold:
  /// the thread's own first, then the process's (`dequeue_signal`).
  public mutating func takeNext(excluding blocked: SignalSet, thread: inout ThreadSignalState)
    -> LinuxSignal?
  {
    takeNextInfo(excluding: blocked, thread: &thread)?.signal
  }

  /// `takeNext` with what was queued for the signal (`SI_KERNEL` if nothing was).
  public mutating func takeNextInfo(
    excluding blocked: SignalSet, thread: inout ThreadSignalState
  ) -> SignalInfo? {
    if let signal = thread.pending.subtracting(blocked).first {
      thread.pending.remove(signal)
      return Self.remove(signal, from: &thread.pendingInfo)
    }
    guard let signal = pending.subtracting(blocked).first else { return nil }
    pending.remove(signal)
    return Self.remove(signal, from: &pendingInfo)
  }

  /// The info queued for `signal` in `infos`, removed.
  static func remove(_ signal: LinuxSignal, from infos: inout [SignalInfo]) -> SignalInfo {
    guard let index = infos.firstIndex(where: { $0.signal == signal }) else {
      return .kernel(signal)
    }
    return infos.remove(at: index)
  }
}

/// What the return to user mode does with the next pending signal.
public enum PendingSignalAction: Equatable, Sendable {
  /// The process ends, killed by it.
  case terminate(LinuxSignal)
  /// Its handler runs, with this info and the action in force when it was taken.
  case handle(SignalInfo, SignalAction)
}

/// What a signal operation means for the process.
public enum SignalOutcome: Equatable, Sendable {
  /// It goes on.
  case continues
  /// It ends as killed by this signal (the shell's status 128 + n).
  case terminates(LinuxSignal)
}
