/// The `siginfo_t` a process hands `rt_sigqueueinfo` / `rt_tgsigqueueinfo` (kernel/signal.c
/// `__copy_siginfo_from_user`, `post_copy_siginfo_from_user`, `do_rt_sigqueueinfo`): Linux keeps
/// the first 48 bytes (`struct kernel_siginfo`: si_signo — replaced by the signal sent —,
/// si_errno, si_code and 32 bytes of the union) and passes them to the receiver as they are;
/// the other 80 are zero for it.
public struct QueuedSignalInfo: Equatable, Sendable {
  public var code: Int32
  public var errno: Int32
  /// The union's first 32 bytes, as four little-endian words.
  public var fields: [UInt64]

  /// `sizeof(struct kernel_siginfo)`: what the kernel copies in and out.
  public static let keptBytes = 48
  static let errnoOffset = 4
  static let codeOffset = 8
  static let fieldWords = 4

  /// si_codes (asm-generic/siginfo.h) that bound the known layouts.
  public static let SI_QUEUE: Int32 = -1
  public static let SI_DETHREAD: Int32 = -7
  public static let SI_ASYNCNL: Int32 = -60
  /// The highest signal-specific si_code of each signal that has its own (`NSIGILL`, …);
  /// others' positive codes are bounded by `NSIGPOLL`.
  static let NSIGILL: Int32 = 11
  static let NSIGFPE: Int32 = 15
  static let NSIGSEGV: Int32 = 9
  static let NSIGBUS: Int32 = 5
  static let NSIGTRAP: Int32 = 6
  static let NSIGCHLD: Int32 = 6
  static let NSIGPOLL: Int32 = 6
  static let NSIGSYS: Int32 = 2

  /// The kept part of `bytes` (all 128 of the caller's `siginfo_t`) for signal number
  /// `signalNumber` (not yet checked: it only picks the si_code limits). E2BIG when the
  /// si_code has no layout Linux knows and any byte past the kept 48 is nonzero (so the
  /// receiver would not get all the sender gave).
  public init(decoding bytes: [UInt8], signalNumber: Int) throws(LinuxErrno) {
    let reader = ByteReader(bytes: bytes)
    code = Int32(bitPattern: reader.get32(at: Self.codeOffset))
    errno = Int32(bitPattern: reader.get32(at: Self.errnoOffset))
    fields = (0..<Self.fieldWords).map { reader.get64(at: SignalInfo.fieldsOffset + 8 * $0) }
    if !Self.hasKnownLayout(signalNumber: signalNumber, code: code)
      && bytes[Self.keptBytes...].contains(where: { $0 != 0 })
    {
      throw .E2BIG
    }
  }

  /// `known_siginfo_layout`.
  static func hasKnownLayout(signalNumber: Int, code: Int32) -> Bool {
    if code == SignalInfo.SI_KERNEL { return true }
    if code > SignalInfo.SI_USER {
      guard let limit = specificCodeLimit(signalNumber) else { return code <= NSIGPOLL }
      return code <= limit
    }
    return code >= SI_DETHREAD || code == SI_ASYNCNL
  }

  /// `sig_sicodes[sig].limit` for the signals with codes of their own (SIGEMT does not exist
  /// on x86).
  static func specificCodeLimit(_ signalNumber: Int) -> Int32? {
    switch LinuxSignal(rawValue: signalNumber) {
    case .SIGILL: return NSIGILL
    case .SIGFPE: return NSIGFPE
    case .SIGSEGV: return NSIGSEGV
    case .SIGBUS: return NSIGBUS
    case .SIGTRAP: return NSIGTRAP
    case .SIGCHLD: return NSIGCHLD
    case .SIGIO: return NSIGPOLL  // SIGPOLL
    case .SIGSYS: return NSIGSYS
    default: return nil
    }
  }

  /// Whether a thread with id `caller` may send this to the process or thread `target`: no
  /// one, not even root, may pretend to be the kernel or `kill`/`tkill` (si_code ≥ 0 or
  /// `SI_TKILL`) towards anyone but itself — compared with the caller's thread id, as Linux's
  /// `task_pid_vnr(current)`.
  public func maySend(from caller: Int64, to target: Int64) -> Bool {
    !(code >= 0 || code == SignalInfo.SI_TKILL) || caller == target
  }

  /// The info queued for `signal`.
  public func info(_ signal: LinuxSignal) -> SignalInfo {
    var info = SignalInfo(
      signal: signal, code: code,
      details: .queued(fields[0], fields[1], fields[2], fields[3]))
    info.errno = errno
    return info
  }
}
