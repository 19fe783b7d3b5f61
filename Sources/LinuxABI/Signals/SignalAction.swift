/// What `rt_sigaction` sets for one signal: the kernel's `struct sigaction` for x86-64
/// (arch/x86/include/uapi/asm/signal.h): handler, flags, restorer, mask, 8 bytes each.
public struct SignalAction: Equatable, Sendable {
  /// `SIG_DFL`, `SIG_IGN`, or the address of a handler.
  public var handler: UInt64
  /// `SA_*` flags, limited to the ones Linux knows (`UAPI_SA_FLAGS`).
  public var flags: UInt64
  /// `sa_restorer`: where the handler returns (the C library's `rt_sigreturn` stub).
  public var restorer: UInt64
  /// Signals blocked while the handler runs.
  public var mask: SignalSet

  /// `SIG_DFL`: the signal's default action.
  public static let defaultHandler: UInt64 = 0
  /// `SIG_IGN`: discard the signal.
  public static let ignoreHandler: UInt64 = 1

  /// The `SA_*` flags Linux keeps (include/linux/signal_types.h `UAPI_SA_FLAGS` on x86):
  /// SA_NOCLDSTOP, SA_NOCLDWAIT, SA_SIGINFO, SA_EXPOSE_TAGBITS, SA_RESTORER, SA_ONSTACK,
  /// SA_RESTART, SA_NODEFER, SA_RESETHAND. Others are cleared, so a program can test for
  /// support (SA_UNSUPPORTED, 0x400, always reads back clear).
  public static let knownFlags: UInt64 =
    0x1 | 0x2 | 0x4 | 0x800 | 0x0400_0000 | 0x0800_0000 | 0x1000_0000 | 0x4000_0000
    | SA_RESETHAND

  /// `SA_RESETHAND`: the disposition goes back to `SIG_DFL` when the signal is delivered.
  public static let SA_RESETHAND: UInt64 = 0x8000_0000

  /// The bytes of the structure.
  public static let byteCount = 32

  /// Every signal starts with `SIG_DFL`, no flags, an empty mask.
  public static let `default` = SignalAction(
    handler: defaultHandler, flags: 0, restorer: 0, mask: .empty)

  public init(handler: UInt64, flags: UInt64, restorer: UInt64, mask: SignalSet) {
    self.handler = handler
    self.flags = flags
    self.restorer = restorer
    self.mask = mask
  }

  /// The action as read from user memory, its four words in order.
  public init(words: (UInt64, UInt64, UInt64, UInt64)) {
    self.init(
      handler: words.0, flags: words.1, restorer: words.2, mask: SignalSet(rawValue: words.3))
  }

  /// The structure's bytes, for copying to user memory.
  public var image: [UInt8] {
    var bytes = [UInt8]()
    bytes.reserveCapacity(Self.byteCount)
    for word in [handler, flags, restorer, mask.rawValue] {
      for shift in stride(from: 0, to: 64, by: 8) {
        bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
      }
    }
    return bytes
  }

  /// Whether a signal with this action is discarded rather than kept pending or acted on:
  /// `SIG_IGN`, or `SIG_DFL` for a signal Linux ignores by default (`sig_handler_ignored`).
  public func ignores(_ signal: LinuxSignal) -> Bool {
    handler == Self.ignoreHandler
      || (handler == Self.defaultHandler && signal.defaultAction == .ignore)
  }
}
