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

  /// Stores the 17 general words at `destination` in `struct sigcontext`'s order: r8…r15,
  /// rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip.
  func writeGeneralWords(to destination: UnsafeMutableRawPointer) {
    func put(_ index: Int, _ word: UInt64) {
      destination.storeLittleEndian(word, at: MemoryLayout<UInt64>.size * index)
    }
    put(0, r8)
    put(1, r9)
    put(2, r10)
    put(3, r11)
    put(4, r12)
    put(5, r13)
    put(6, r14)
    put(7, r15)
    put(8, rdi)
    put(9, rsi)
    put(10, rbp)
    put(11, rbx)
    put(12, rdx)
    put(13, rax)
    put(14, rcx)
    put(15, rsp)
    put(16, rip)
  }

  /// The registers from the 17 general words at `source` in `struct sigcontext`'s order.
  init(readingGeneralWords source: UnsafeRawPointer) {
    func word(_ index: Int) -> UInt64 {
      UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
    }
    r8 = word(0)
    r9 = word(1)
    r10 = word(2)
    r11 = word(3)
    r12 = word(4)
    r13 = word(5)
    r14 = word(6)
    r15 = word(7)
    rdi = word(8)
    rsi = word(9)
    rbp = word(10)
    rbx = word(11)
    rdx = word(12)
    rax = word(13)
    rcx = word(14)
    rsp = word(15)
    rip = word(16)
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
