/// A set of signals as the kernel ABI lays it out (`sigset_t`, 8 bytes on x86-64): bit n − 1
/// for signal n.
public struct SignalSet: RawRepresentable, Hashable, Sendable {
  public var rawValue: UInt64
  public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// `sizeof(sigset_t)` in the kernel ABI: the only `sigsetsize` the calls accept.
  public static let byteCount: UInt64 = 8

  /// No signal.
  public static let empty = SignalSet(rawValue: 0)

  /// The set holding exactly `signals`.
  public init(_ signals: LinuxSignal...) {
    rawValue = 0
    for signal in signals { insert(signal) }
  }

  /// SIGKILL and SIGSTOP: what no mask may hold (`sigdelsetmask(…, sigmask(SIGKILL) |
  /// sigmask(SIGSTOP))` in every call that sets one).
  public static let kernelOnly = SignalSet(.SIGKILL, .SIGSTOP)

  private static func bit(_ signal: LinuxSignal) -> UInt64 { 1 << UInt64(signal.rawValue - 1) }

  public func contains(_ signal: LinuxSignal) -> Bool { rawValue & Self.bit(signal) != 0 }
  public mutating func insert(_ signal: LinuxSignal) { rawValue |= Self.bit(signal) }
  public mutating func remove(_ signal: LinuxSignal) { rawValue &= ~Self.bit(signal) }
  public var isEmpty: Bool { rawValue == 0 }

  public func union(_ other: SignalSet) -> SignalSet {
    SignalSet(rawValue: rawValue | other.rawValue)
  }
  public func intersection(_ other: SignalSet) -> SignalSet {
    SignalSet(rawValue: rawValue & other.rawValue)
  }
  public func subtracting(_ other: SignalSet) -> SignalSet {
    SignalSet(rawValue: rawValue & ~other.rawValue)
  }

  /// The signal Linux takes first from this set: a synchronous one (an exception's) if any,
  /// else the lowest number (kernel/signal.c `next_signal`).
  public var first: LinuxSignal? {
    guard !isEmpty else { return nil }
    let synchronous = rawValue & Self.synchronousBits
    let word = synchronous != 0 ? synchronous : rawValue
    return LinuxSignal(rawValue: word.trailingZeroBitCount + 1)
  }

  private static let synchronousBits =
    SignalSet(.SIGSEGV, .SIGBUS, .SIGILL, .SIGTRAP, .SIGFPE, .SIGSYS).rawValue
}
