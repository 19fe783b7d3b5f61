/// The user registers a signal frame saves and `rt_sigreturn` restores: `struct sigcontext`'s
/// general registers (arch/x86/include/uapi/asm/sigcontext.h, 64-bit), kept apart from the
/// kernel's trap frame so the frame code is host-testable.
public struct SignalRegisters: Equatable, Sendable {
  public var r8: UInt64 = 0
  public var r9: UInt64 = 0
  public var r10: UInt64 = 0
  public var r11: UInt64 = 0
  public var r12: UInt64 = 0
  public var r13: UInt64 = 0
  public var r14: UInt64 = 0
  public var r15: UInt64 = 0
  public var rdi: UInt64 = 0
  public var rsi: UInt64 = 0
  public var rbp: UInt64 = 0
  public var rbx: UInt64 = 0
  public var rdx: UInt64 = 0
  public var rax: UInt64 = 0
  public var rcx: UInt64 = 0
  public var rsp: UInt64 = 0
  public var rip: UInt64 = 0
  public var eflags: UInt64 = 0
  public var cs: UInt16 = 0
  public var ss: UInt16 = 0

  public init() {}

  /// How many general words `struct sigcontext` starts with (r8 … rip).
  static let generalWordCount = 17

  /// The 17 general words in `struct sigcontext`'s order: r8…r15, rdi, rsi, rbp, rbx, rdx,
  /// rax, rcx, rsp, rip.
  var generalWords: [UInt64] {
    [r8, r9, r10, r11, r12, r13, r14, r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip]
  }

  /// The registers from the 17 general words in `struct sigcontext`'s order.
  init(generalWords words: [UInt64]) {
    r8 = words[0]
    r9 = words[1]
    r10 = words[2]
    r11 = words[3]
    r12 = words[4]
    r13 = words[5]
    r14 = words[6]
    r15 = words[7]
    rdi = words[8]
    rsi = words[9]
    rbp = words[10]
    rbx = words[11]
    rdx = words[12]
    rax = words[13]
    rcx = words[14]
    rsp = words[15]
    rip = words[16]
  }

  /// The RFLAGS bits a handler may change in the saved frame (arch/x86/kernel/signal.c
  /// `FIX_EFLAGS`): AC, OF, DF, TF, SF, ZF, AF, PF, CF, RF. IF, IOPL and the rest stay the
  /// kernel's.
  public static let FIX_EFLAGS: UInt64 =
    X86_EFLAGS_AC | X86_EFLAGS_OF | X86_EFLAGS_DF | X86_EFLAGS_TF | X86_EFLAGS_SF
    | X86_EFLAGS_ZF | X86_EFLAGS_AF | X86_EFLAGS_PF | X86_EFLAGS_CF | X86_EFLAGS_RF

  public static let X86_EFLAGS_CF: UInt64 = 1 << 0
  public static let X86_EFLAGS_PF: UInt64 = 1 << 2
  public static let X86_EFLAGS_AF: UInt64 = 1 << 4
  public static let X86_EFLAGS_ZF: UInt64 = 1 << 6
  public static let X86_EFLAGS_SF: UInt64 = 1 << 7
  public static let X86_EFLAGS_TF: UInt64 = 1 << 8
  public static let X86_EFLAGS_DF: UInt64 = 1 << 10
  public static let X86_EFLAGS_OF: UInt64 = 1 << 11
  public static let X86_EFLAGS_RF: UInt64 = 1 << 16
  public static let X86_EFLAGS_AC: UInt64 = 1 << 18

  /// The flags `rt_sigreturn` returns with: the `FIX_EFLAGS` bits from the frame, the others
  /// as they are now.
  public static func restoredFlags(current: UInt64, saved: UInt64) -> UInt64 {
    (current & ~FIX_EFLAGS) | (saved & FIX_EFLAGS)
  }

  /// The flags a handler starts with: the interrupted ones without DF, RF and TF (the ABI
  /// wants DF clear at a function's entry; a trace flag must not step into the handler).
  public static func handlerFlags(_ interrupted: UInt64) -> UInt64 {
    interrupted & ~(X86_EFLAGS_DF | X86_EFLAGS_RF | X86_EFLAGS_TF)
  }

  /// Whether `address` is canonical for 48-bit virtual addresses (bits 63…47 all equal): a
  /// non-canonical return RIP would make IRETQ fault in the kernel.
  public static func isCanonical(_ address: UInt64) -> Bool {
    let upper = Int64(bitPattern: address) >> 47
    return upper == 0 || upper == -1
  }
}
