/// A process's signals while the kernel cannot yet deliver one to a handler: the dispositions
/// `rt_sigaction` sets, the mask `rt_sigprocmask` sets, the pending set, and Linux's default
/// actions (kernel/signal.c) applied to every signal the process sends itself.
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
  /// The signal mask: blocked signals stay pending.
  public private(set) var blocked = SignalSet.empty
  /// Signals generated but not acted on yet.
  public private(set) var pending = SignalSet.empty

  /// `how` of `rt_sigprocmask` (asm-generic/signal-defs.h).
  public static let SIG_BLOCK: Int32 = 0
  public static let SIG_UNBLOCK: Int32 = 1
  public static let SIG_SETMASK: Int32 = 2

  /// The stop signals: SIGCONT discards them when it is sent, and they discard SIGCONT.
  static let stopSignals = SignalSet(.SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU)

  /// Every signal with `SIG_DFL`, nothing blocked or pending: what a new program starts with.
  public init() {}

  /// The disposition of `signal`.
  public func action(for signal: LinuxSignal) -> SignalAction { actions[signal.rawValue - 1] }

  /// What `rt_sigpending` reports: the pending signals that are blocked.
  public var reportedPending: SignalSet { pending.intersection(blocked) }

  /// The process sends itself `signal` (`kill`, `tkill`, `tgkill`); the answer says whether it
  /// ends the process.
  public mutating func send(_ signal: LinuxSignal) -> SignalOutcome {
    if signal == .SIGKILL { return .terminates(.SIGKILL) }
    if signal == .SIGCONT {
      pending = pending.subtracting(Self.stopSignals)
    } else if signal.defaultAction == .stop {
      pending.remove(.SIGCONT)
    }
    // `sig_ignored`: an ignored signal is dropped at once, unless blocked.
    if !blocked.contains(signal) && action(for: signal).ignores(signal) { return .continues }
    pending.insert(signal)
    return deliver()
  }

  /// `rt_sigaction`: returns the old disposition of signal `number` and, when `new` is given,
  /// sets it. EINVAL for a number outside 1...64, or for changing SIGKILL's or SIGSTOP's.
  /// Unknown flags are dropped and SIGKILL/SIGSTOP removed from the handler's mask; a signal
  /// made ignored loses its pending instance, blocked or not (POSIX 3.3.1.3).
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

  /// `rt_sigprocmask`: returns the old mask and, when `set` is given, changes it as `how` says.
  /// EINVAL for an unknown `how` (only checked with a set, as Linux does). SIGKILL and SIGSTOP
  /// are silently left out.
  public mutating func changeMask(how: Int32, set: SignalSet?) throws(LinuxErrno) -> SignalSet {
    let old = blocked
    guard let set else { return old }
    switch how {
    case Self.SIG_BLOCK: blocked = blocked.union(set)
    case Self.SIG_UNBLOCK: blocked = blocked.subtracting(set)
    case Self.SIG_SETMASK: blocked = set
    default: throw .EINVAL
    }
    blocked = blocked.subtracting(.kernelOnly)
    return old
  }

  /// Acts on the pending signals that are not blocked, in Linux's order: ignored ones are
  /// discarded, caught ones consumed without running the handler (`SA_RESETHAND` applied), and
  /// the first with a terminating default action ends the process.
  public mutating func deliver() -> SignalOutcome {
    while let signal = pending.subtracting(blocked).first {
      pending.remove(signal)
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
}

/// What a signal operation means for the process.
public enum SignalOutcome: Equatable, Sendable {
  /// It goes on.
  case continues
  /// It ends as killed by this signal (the shell's status 128 + n).
  case terminates(LinuxSignal)
}
