/// Where a signal frame goes (arch/x86/kernel/signal.c `get_sigframe`, 64-bit, FXSAVE):
///
/// 1. below the interrupted RSP, skipping the 128-byte red zone the ABI lets leaf functions
///    use;
/// 2. or, for an `SA_ONSTACK` handler, at the top of the alternate stack if one is set and the
///    thread is not on it already;
/// 3. the 512-byte FXSAVE image below that, 64-byte aligned (FXSAVE wants 16; Linux aligns
///    every fpstate to 64 for XSAVE's sake);
/// 4. the frame below it, placed so the handler starts with RSP % 16 == 8, as after a CALL.
///
/// A frame that would not fit on the alternate stack it is meant for is refused (nil: the
/// thread gets SIGSEGV, as Linux's "bogus" -1 frame address).
public struct SignalFramePlacement: Equatable, Sendable {
  /// The frame's address: the handler's RSP.
  public let frame: UInt64
  /// The FXSAVE image's address (`sigcontext.fpstate`).
  public let fpstate: UInt64
  /// Whether the frame is on the alternate stack because this delivery switched to it.
  public let entersAlternateStack: Bool

  /// The x86-64 ABI's red zone below RSP.
  public static let redZone: UInt64 = 128
  /// The FXSAVE image's size and the alignment Linux gives it.
  public static let fxsaveBytes: UInt64 = 512
  public static let fpstateAlignment: UInt64 = 64
  /// The stack alignment at a CALL.
  public static let stackAlignment: UInt64 = 16

  /// The placement for a signal arriving with the user RSP `stackPointer`, the thread's
  /// alternate stack `alternate`, and whether the handler asked for it (`SA_ONSTACK`).
  public static func place(
    stackPointer: UInt64, alternate: SignalStack, onStack: Bool
  ) -> SignalFramePlacement? {
    let nested = alternate.contains(stackPointer)
    var sp = stackPointer &- redZone
    var entering = false
    if onStack && alternate.reportedFlags(at: sp) == 0 {
      sp = alternate.base &+ alternate.size
      entering = true
    }
    let fpstate = (sp &- fxsaveBytes) & ~(fpstateAlignment - 1)
    let frame =
      ((fpstate &- UInt64(SignalFrame.byteCount)) & ~(stackAlignment - 1)) &- 8
    if (nested || entering) && !alternate.containsIgnoringDisarm(frame) { return nil }
    return SignalFramePlacement(frame: frame, fpstate: fpstate, entersAlternateStack: entering)
  }
}
