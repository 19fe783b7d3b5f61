/// A Linux signal number, 1 through 64 (`_NSIG`), with the names of asm-generic/signal.h and
/// the action Linux takes for it when nothing else was asked for.
public struct LinuxSignal: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: Int

  /// `_NSIG`: the highest signal number (the real-time signals end there).
  public static let count = 64

  /// The signal `number`, or nil outside 1...64 (0 is the "does the target exist" probe of
  /// `kill`, not a signal).
  public init?(rawValue number: Int) {
    guard (1...Self.count).contains(number) else { return nil }
    rawValue = number
  }

  private init(_ number: Int) { rawValue = number }

  public static let SIGHUP = LinuxSignal(1)
  public static let SIGINT = LinuxSignal(2)
  public static let SIGQUIT = LinuxSignal(3)
  public static let SIGILL = LinuxSignal(4)
  public static let SIGTRAP = LinuxSignal(5)
  public static let SIGABRT = LinuxSignal(6)
  public static let SIGBUS = LinuxSignal(7)
  public static let SIGFPE = LinuxSignal(8)
  public static let SIGKILL = LinuxSignal(9)
  public static let SIGUSR1 = LinuxSignal(10)
  public static let SIGSEGV = LinuxSignal(11)
  public static let SIGUSR2 = LinuxSignal(12)
  public static let SIGPIPE = LinuxSignal(13)
  public static let SIGALRM = LinuxSignal(14)
  public static let SIGTERM = LinuxSignal(15)
  public static let SIGSTKFLT = LinuxSignal(16)
  public static let SIGCHLD = LinuxSignal(17)
  public static let SIGCONT = LinuxSignal(18)
  public static let SIGSTOP = LinuxSignal(19)
  public static let SIGTSTP = LinuxSignal(20)
  public static let SIGTTIN = LinuxSignal(21)
  public static let SIGTTOU = LinuxSignal(22)
  public static let SIGURG = LinuxSignal(23)
  public static let SIGXCPU = LinuxSignal(24)
  public static let SIGXFSZ = LinuxSignal(25)
  public static let SIGVTALRM = LinuxSignal(26)
  public static let SIGPROF = LinuxSignal(27)
  public static let SIGWINCH = LinuxSignal(28)
  public static let SIGIO = LinuxSignal(29)
  public static let SIGPWR = LinuxSignal(30)
  public static let SIGSYS = LinuxSignal(31)
  /// `SIGRTMIN` as the kernel numbers it (the C libraries keep the first few for themselves).
  public static let firstRealTime = LinuxSignal(32)

  /// What Linux does with a signal whose disposition is `SIG_DFL` (signal(7)).
  public enum DefaultAction: Sendable, Equatable {
    /// End the process (`Term`, and `Core`: the shell's status is 128 + n either way).
    case terminate
    /// Discard it (`Ign`; also `Cont` for a process that is not stopped).
    case ignore
    /// Stop the process (`Stop`).
    case stop
  }

  /// The default action (kernel/signal.c `sig_kernel_ignore`, `sig_kernel_stop`; everything
  /// else, real-time signals included, terminates).
  public var defaultAction: DefaultAction {
    switch self {
    case .SIGCHLD, .SIGURG, .SIGWINCH, .SIGCONT: return .ignore
    case .SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU: return .stop
    default: return .terminate
    }
  }

  /// SIGKILL and SIGSTOP: they cannot be caught, blocked or ignored (`sig_kernel_only`).
  public var isKernelOnly: Bool { self == .SIGKILL || self == .SIGSTOP }

  /// The signals the CPU's exceptions raise: delivered before any other pending signal
  /// (kernel/signal.c `SYNCHRONOUS_MASK`).
  public var isSynchronous: Bool {
    switch self {
    case .SIGSEGV, .SIGBUS, .SIGILL, .SIGTRAP, .SIGFPE, .SIGSYS: return true
    default: return false
    }
  }

  public var description: String { "signal " + String(rawValue) }
}
