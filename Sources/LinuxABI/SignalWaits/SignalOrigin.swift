/// Where a pending signal came from: the part of a `siginfo_t` that `rt_sigtimedwait` reports
/// (asm-generic/siginfo.h). A signal is pending at most once per number here, so one origin per
/// number is kept, the latest sender's (Linux keeps the first for a legacy signal sent twice
/// before it is taken), until the signal is taken.
public struct SignalOrigin: Equatable, Sendable {
  /// `si_code`: who sent it.
  public var code: Int32
  /// `si_pid`, `si_uid` of the sender (the child, for SIGCHLD).
  public var pid: UInt32
  public var uid: UInt32
  /// `si_status` (SIGCHLD: the exit code or the signal).
  public var status: Int32

  /// `SI_USER`: `kill`. `SI_KERNEL`: the kernel (an interval timer's SIGALRM). `SI_TKILL`:
  /// `tkill` / `tgkill`. `SI_QUEUE`: `rt_sigqueueinfo`.
  public static let SI_USER: Int32 = 0
  public static let SI_KERNEL: Int32 = 0x80
  public static let SI_QUEUE: Int32 = -1
  public static let SI_TKILL: Int32 = -6
  /// SIGCHLD's codes: the child exited, or a signal killed it.
  public static let CLD_EXITED: Int32 = 1
  public static let CLD_KILLED: Int32 = 2

  /// `sizeof(siginfo_t)`.
  public static let byteCount = 128

  public init(code: Int32, pid: UInt32, uid: UInt32 = 0, status: Int32 = 0) {
    self.code = code
    self.pid = pid
    self.uid = uid
    self.status = status
  }

  /// The `siginfo_t` image for `signal` with this origin: `si_signo` @0, `si_errno` @4,
  /// `si_code` @8, then the union: `si_pid` @16, `si_uid` @20, and for SIGCHLD `si_status`
  /// @24; the rest zero.
  public func image(for signal: LinuxSignal) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Self.byteCount)
    func store(_ value: UInt32, at offset: Int) {
      for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
    }
    store(UInt32(signal.rawValue), at: 0)
    store(UInt32(bitPattern: code), at: 8)
    if code != Self.SI_KERNEL {
      store(pid, at: 16)
      store(uid, at: 20)
    }
    if signal == .SIGCHLD { store(UInt32(bitPattern: status), at: 24) }
    return bytes
  }
}

/// The origins of a process's pending signals, one per number (see `SignalOrigin`).
public struct SignalOrigins: Sendable {
  private var origins = [SignalOrigin?](repeating: nil, count: LinuxSignal.count)

  public init() {}

  /// Notes `origin` for `signal` (it was just sent).
  public mutating func record(_ signal: LinuxSignal, _ origin: SignalOrigin) {
    origins[signal.rawValue - 1] = origin
  }

  /// Takes `signal`'s origin out (the signal was taken); `fallback` when none was noted.
  public mutating func take(_ signal: LinuxSignal, fallback: SignalOrigin) -> SignalOrigin {
    defer { origins[signal.rawValue - 1] = nil }
    return origins[signal.rawValue - 1] ?? fallback
  }

  /// Forgets `signal`'s origin (it is no longer pending: discarded or delivered).
  public mutating func forget(_ signal: LinuxSignal) { origins[signal.rawValue - 1] = nil }
}
