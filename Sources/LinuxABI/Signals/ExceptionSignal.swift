/// The signal Linux sends for a CPU exception raised in ring 3 (arch/x86/kernel/traps.c), with
/// its `siginfo_t`. Checked against Linux 6.1 by tests/programs/signal_exceptions.c.
public enum ExceptionSignal {
  /// The vectors (arch/x86/include/asm/trapnr.h `X86_TRAP_*`).
  public static let X86_TRAP_DE = 0
  public static let X86_TRAP_DB = 1
  public static let X86_TRAP_BP = 3
  public static let X86_TRAP_OF = 4
  public static let X86_TRAP_BR = 5
  public static let X86_TRAP_UD = 6
  public static let X86_TRAP_TS = 10
  public static let X86_TRAP_NP = 11
  public static let X86_TRAP_SS = 12
  public static let X86_TRAP_GP = 13
  public static let X86_TRAP_PF = 14
  public static let X86_TRAP_MF = 16
  public static let X86_TRAP_AC = 17
  public static let X86_TRAP_XM = 19

  /// The x87 / SSE exception flags (FSW bits 0…5, MXCSR bits 0…5; their masks are FCW bits
  /// 0…5 and MXCSR bits 7…12).
  static let invalidOperation: UInt32 = 0x001
  static let denormal: UInt32 = 0x002
  static let zeroDivide: UInt32 = 0x004
  static let overflow: UInt32 = 0x008
  static let underflow: UInt32 = 0x010
  static let precision: UInt32 = 0x020
  static let mxcsrMaskShift: UInt32 = 7

  /// The signal for `vector` at user `rip`, or nil when Linux sends none (a spurious #MF/#XM
  /// with no unmasked exception flag). `fpu` is read for #MF and #XM only.
  ///
  /// - #DE: SIGFPE `FPE_INTDIV`, si_addr = RIP (a quotient overflow too).
  /// - #DB: SIGTRAP `TRAP_TRACE`, si_addr = RIP (a single step).
  /// - #BP (`int3`): SIGTRAP `SI_KERNEL`, as `do_int3_user`'s `do_trap(…, NULL)`.
  /// - #OF (`int $4`, its gate is DPL 3 on Linux), #BR, #TS, #GP: SIGSEGV `SI_KERNEL`, si_addr 0.
  /// - #UD: SIGILL `ILL_ILLOPN`, si_addr = RIP.
  /// - #NP, #SS: SIGBUS `SI_KERNEL`.
  /// - #AC: SIGBUS `BUS_ADRALN`, si_addr 0.
  /// - #MF, #XM: SIGFPE with `fpu__exception_code`'s si_code, si_addr = RIP.
  /// - anything else: SIGSEGV `SI_KERNEL`.
  public static func info(vector: Int, rip: UInt64, fpu: FPUStatus) -> SignalInfo? {
    func fault(_ signal: LinuxSignal, _ code: Int32, _ address: UInt64) -> SignalInfo {
      SignalInfo(signal: signal, code: code, details: .fault(address: address))
    }
    switch vector {
    case X86_TRAP_DE: return fault(.SIGFPE, SignalInfo.FPE_INTDIV, rip)
    case X86_TRAP_DB: return fault(.SIGTRAP, SignalInfo.TRAP_TRACE, rip)
    case X86_TRAP_BP: return .kernel(.SIGTRAP)
    case X86_TRAP_UD: return fault(.SIGILL, SignalInfo.ILL_ILLOPN, rip)
    case X86_TRAP_NP, X86_TRAP_SS: return .kernel(.SIGBUS)
    case X86_TRAP_AC: return fault(.SIGBUS, SignalInfo.BUS_ADRALN, 0)
    case X86_TRAP_MF, X86_TRAP_XM:
      let code = floatingPointCode(vector: vector, fpu)
      return code == 0 ? nil : fault(.SIGFPE, code, rip)
    default: return .kernel(.SIGSEGV)
    }
  }

  /// `fpu__exception_code`: the first unmasked raised flag, in Linux's order (invalid,
  /// divide-by-zero, overflow, underflow or denormal, precision); 0 for none.
  public static func floatingPointCode(vector: Int, _ fpu: FPUStatus) -> Int32 {
    let raised: UInt32
    if vector == X86_TRAP_MF {
      raised = UInt32(fpu.statusWord) & ~UInt32(fpu.controlWord)
    } else {
      raised = ~(fpu.mxcsr >> mxcsrMaskShift) & fpu.mxcsr
    }
    if raised & invalidOperation != 0 { return SignalInfo.FPE_FLTINV }
    if raised & zeroDivide != 0 { return SignalInfo.FPE_FLTDIV }
    if raised & overflow != 0 { return SignalInfo.FPE_FLTOVF }
    if raised & (underflow | denormal) != 0 { return SignalInfo.FPE_FLTUND }
    if raised & precision != 0 { return SignalInfo.FPE_FLTRES }
    return 0
  }
}
