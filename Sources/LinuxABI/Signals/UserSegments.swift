/// The segment selectors a 64-bit Linux process sees, and Linux's rules for the CS and SS a
/// signal frame saves and `rt_sigreturn` restores (arch/x86/kernel/signal.c
/// `restore_sigcontext`, `frame_uc_flags`, `force_valid_ss`; arch/x86/include/asm/segment.h).
///
/// The kernel's GDT puts its user segments in Linux's slots, so `mov %cs` reads 0x33 in a
/// 64-bit program, 0x23 is the 32-bit (compatibility-mode) code segment and 0x2b the data
/// segment: programs that look at their selectors (or pick a 32-bit CS as `my_cs - 16`, as the
/// sigreturn selftest does) see what they see on Linux.
public enum UserSegments {
  /// GDT slots (`GDT_ENTRY_DEFAULT_USER32_CS`, `GDT_ENTRY_DEFAULT_USER_DS`,
  /// `GDT_ENTRY_DEFAULT_USER_CS`).
  public static let GDT_ENTRY_DEFAULT_USER32_CS: UInt16 = 4
  public static let GDT_ENTRY_DEFAULT_USER_DS: UInt16 = 5
  public static let GDT_ENTRY_DEFAULT_USER_CS: UInt16 = 6
  /// A selector's requested privilege level: its low two bits (3 = user).
  public static let requestedPrivilegeMask: UInt16 = 3
  public static let userPrivilege: UInt16 = 3
  /// A descriptor is 8 bytes: a selector is its slot times 8, or'ed with TI and RPL.
  static let descriptorShift: UInt16 = 3

  /// `__USER32_CS` (0x23), `__USER_DS` (0x2b), `__USER_CS` (0x33).
  public static let USER32_CS = GDT_ENTRY_DEFAULT_USER32_CS << descriptorShift | userPrivilege
  public static let USER_DS = GDT_ENTRY_DEFAULT_USER_DS << descriptorShift | userPrivilege
  public static let USER_CS = GDT_ENTRY_DEFAULT_USER_CS << descriptorShift | userPrivilege

  /// `frame_uc_flags`: `UC_SIGCONTEXT_SS` always (the frame's `ss` field is the interrupted
  /// SS), and `UC_STRICT_RESTORE_SS` when the interrupted code ran in 64-bit mode
  /// (`user_64bit_mode`: CS is `__USER_CS`) — `rt_sigreturn` then restores SS as saved.
  public static func contextFlags(interruptedCodeSelector cs: UInt16) -> UInt64 {
    var flags = SignalFrame.UC_SIGCONTEXT_SS
    if cs == USER_CS { flags |= SignalFrame.UC_STRICT_RESTORE_SS }
    return flags
  }

  /// The CS and SS `rt_sigreturn` returns with: the frame's, RPL forced to 3 (a handler can
  /// ask for any selector; the IRET back to ring 3 checks it and faults if it is no usable
  /// segment, `BadInterruptReturn`). Without `UC_STRICT_RESTORE_SS`, a return to 64-bit code
  /// gets a valid SS (`force_valid_ss`: DOSEMU and CRIU edit CS without fixing SS); the only
  /// ring-3 data segment this kernel has is `__USER_DS`, so any other SS becomes that.
  public static func restored(
    codeSelector: UInt16, stackSelector: UInt16, contextFlags: UInt64
  ) -> (cs: UInt16, ss: UInt16) {
    let cs = codeSelector | userPrivilege
    var ss = stackSelector | userPrivilege
    if contextFlags & SignalFrame.UC_STRICT_RESTORE_SS == 0 && cs == USER_CS { ss = USER_DS }
    return (cs, ss)
  }
}
