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
/// - An unblocked signal with a handler is consumed as if delivered to a handler that returns
///   at once: delivery to handlers (signal frames, `rt_sigreturn`) does not exist yet, so the
///   handler does not run, but the signal is no longer pending and `SA_RESETHAND` resets the
///   disposition to `SIG_DFL`, as Linux's delivery would. (Keeping it pending instead would
///   kill the process later, when the handler is reset to `SIG_DFL` — busybox's
///   `trap : USR1; kill -USR1 $$; trap - USR1` — where Linux had long delivered it.)
///
/// Every change that can make a pending signal deliverable (unblocking it, resetting its
/// handler to `SIG_DFL`) is followed by `deliver()`, as Linux delivers on the way back to user
/// mode.
public struct SignalState: Sendable {
  /// The disposition of each signal; index n − 1 for signal n.
  private var actions = [SignalAction](repeating: .default, count: LinuxSignal.count)
  /// Signals sent to the whole process (`kill`), not acted on yet (Linux's
  /// `signal_struct.shared_pending`); each thread's own are in its `ThreadSignalState`.
  public private(set) var pending = SignalSet.empty

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
  /// `tgkill`); `thread` is the one whose mask decides (the only thread). The answer says
  /// whether it ends the process.
  public mutating func send(
    _ signal: LinuxSignal, to thread: inout ThreadSignalState, toThread: Bool = false
  ) -> SignalOutcome {
    if signal == .SIGKILL { return .terminates(.SIGKILL) }
    if signal == .SIGCONT {
      pending = pending.subtracting(Self.stopSignals)
      thread.pending = thread.pending.subtracting(Self.stopSignals)
    } else if signal.defaultAction == .stop {
      pending.remove(.SIGCONT)
      thread.pending.remove(.SIGCONT)
    }
    // `sig_ignored`: an ignored signal is dropped at once, unless blocked.
    if !thread.blocked.contains(signal) && action(for: signal).ignores(signal) {
      return .continues
    }
    if toThread { thread.pending.insert(signal) } else { pending.insert(signal) }
    return deliver(thread: &thread)
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
    if new.ignores(signal) { pending.remove(signal) }
    return old
  }

  /// Acts on the pending signals `thread` does not block, in Linux's order: ignored ones are
  /// discarded, caught ones consumed without running the handler (`SA_RESETHAND` applied), and
  /// the first with a terminating default action ends the process.
  public mutating func deliver(thread: inout ThreadSignalState) -> SignalOutcome {
    while let signal = takeNext(excluding: thread.blocked, thread: &thread) {
      let action = action(for: signal)
      switch action.handler {
      case SignalAction.defaultHandler:
        if signal.defaultAction == .terminate { return .terminates(signal) }
      case SignalAction.ignoreHandler:
        break
      default:
        if action.flags & SignalAction.SA_RESETHAND != 0 {
          actions[signal.rawValue - 1] = .default
        }
      }
    }
    return .continues
  }

  /// Removes and returns the pending signal Linux takes next that `blocked` does not hold:
  /// the thread's own first, then the process's (`dequeue_signal`).
  public mutating func takeNext(excluding blocked: SignalSet, thread: inout ThreadSignalState)
    -> LinuxSignal?
  {
    if let signal = thread.pending.subtracting(blocked).first {
      thread.pending.remove(signal)
      return signal
    }
    guard let signal = pending.subtracting(blocked).first else { return nil }
    pending.remove(signal)
    return signal
  }
}

/// What a signal operation means for the process.
public enum SignalOutcome: Equatable, Sendable {
  /// It goes on.
  case continues
  /// It ends as killed by this signal (the shell's status 128 + n).
  case terminates(LinuxSignal)
}
