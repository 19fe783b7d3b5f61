/// The Linux x86-64 signal frame (`struct rt_sigframe`, arch/x86/include/asm/sigframe.h), as a
/// handler finds it at its RSP and `rt_sigreturn` reads it back:
///
/// | offset | size | field |
/// |-------:|-----:|-------|
/// |      0 |    8 | `pretcode`: the return address, `sa_restorer` |
/// |      8 |    8 | `uc.uc_flags` |
/// |     16 |    8 | `uc.uc_link` (0) |
/// |     24 |   24 | `uc.uc_stack` (`stack_t`: sp, flags, size) |
/// |     48 |  256 | `uc.uc_mcontext` (`struct sigcontext`: r8…r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags, cs/gs/fs/ss, err, trapno, oldmask, cr2, fpstate, 8 reserved words) |
/// |    304 |    8 | `uc.uc_sigmask` |
/// |    312 |  128 | `info` (`siginfo_t`) |
///
/// 440 bytes; the FXSAVE image (`fpstate`, 512 bytes) lies above it, 64-byte aligned.
public struct SignalFrame: Equatable, Sendable {
  /// `pretcode`.
  public var restorer: UInt64
  /// `uc_flags`.
  public var flags: UInt64
  /// `uc_link`.
  public var link: UInt64 = 0
  /// `uc_stack`: the alternate stack setting when the signal arrived.
  public var stack: SignalStack
  /// The interrupted registers.
  public var registers: SignalRegisters
  /// `sigcontext.err`, `trapno`, `cr2`: the last exception's error code, vector and fault
  /// address (Linux's `thread.error_code`, `trap_nr`, `cr2`).
  public var errorCode: UInt64 = 0
  public var trapNumber: UInt64 = 0
  public var faultAddress: UInt64 = 0
  /// `sigcontext.fpstate`: the address of the FXSAVE image (0: none).
  public var fpstate: UInt64
  /// `uc_sigmask` (and `sigcontext.oldmask`): the mask to restore.
  public var mask: SignalSet
  /// `info`: only written, never read back.
  public var info: SignalInfo?

  public init(
    restorer: UInt64, flags: UInt64, stack: SignalStack, registers: SignalRegisters,
    fpstate: UInt64, mask: SignalSet, info: SignalInfo?
  ) {
    self.restorer = restorer
    self.flags = flags
    self.stack = stack
    self.registers = registers
    self.fpstate = fpstate
    self.mask = mask
    self.info = info
  }

  /// `sizeof(struct rt_sigframe)`.
  public static let byteCount = 440
  /// Offsets in the frame.
  public static let ucontextOffset = 8
  public static let stackOffset = 24
  public static let sigcontextOffset = 48
  public static let sigmaskOffset = 304
  public static let infoOffset = 312
  /// Offsets in `struct sigcontext` of the fields after the 17 general words.
  static let eflagsOffset = 136
  static let csOffset = 144
  static let ssOffset = 150
  static let errOffset = 152
  static let trapnoOffset = 160
  static let oldmaskOffset = 168
  static let cr2Offset = 176
  static let fpstateOffset = 184

  /// `uc_flags` bits (arch/x86/include/uapi/asm/ucontext.h). `UC_FP_XSTATE` (1) says the
  /// fpstate is an XSAVE image with its extended header; this kernel saves with FXSAVE only,
  /// so it is never set, as on Linux on a CPU without XSAVE.
  public static let UC_FP_XSTATE: UInt64 = 0x1
  /// `sigcontext.ss` holds the interrupted SS.
  public static let UC_SIGCONTEXT_SS: UInt64 = 0x2
  /// `rt_sigreturn` restores that SS (here: always the user data selector, forced).
  public static let UC_STRICT_RESTORE_SS: UInt64 = 0x4
  /// What every frame here carries.
  public static let kernelFlags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS

  /// The bytes from the frame's start to the end of `uc_sigmask`: what `rt_sigreturn` reads.
  public static let ucontextEnd = infoOffset

  /// The frame's 440 bytes.
  public var image: [UInt8] {
    var writer = ByteWriter(bytes: [UInt8](repeating: 0, count: Self.byteCount))
    writer.put64(restorer, at: 0)
    writer.put64(flags, at: Self.ucontextOffset)
    writer.put64(link, at: Self.ucontextOffset + 8)
    writer.put64(stack.base, at: Self.stackOffset)
    writer.put32(UInt32(bitPattern: stack.flags), at: Self.stackOffset + 8)
    writer.put64(stack.size, at: Self.stackOffset + 16)
    let context = Self.sigcontextOffset
    for (index, word) in registers.generalWords.enumerated() {
      writer.put64(word, at: context + 8 * index)
    }
    writer.put64(registers.eflags, at: context + Self.eflagsOffset)
    writer.put16(registers.cs, at: context + Self.csOffset)
    writer.put16(registers.ss, at: context + Self.ssOffset)
    writer.put64(errorCode, at: context + Self.errOffset)
    writer.put64(trapNumber, at: context + Self.trapnoOffset)
    writer.put64(mask.rawValue, at: context + Self.oldmaskOffset)
    writer.put64(faultAddress, at: context + Self.cr2Offset)
    writer.put64(fpstate, at: context + Self.fpstateOffset)
    writer.put64(mask.rawValue, at: Self.sigmaskOffset)
    var bytes = writer.bytes
    if let info {
      let infoBytes = info.image
      for index in 0..<SignalInfo.byteCount { bytes[Self.infoOffset + index] = infoBytes[index] }
    }
    return bytes
  }

  /// The frame as `rt_sigreturn` reads it back from `bytes` (at least `ucontextEnd` of them,
  /// from `pretcode` on); `info` is not read.
  public init(decoding bytes: [UInt8]) {
    precondition(bytes.count >= Self.ucontextEnd, "a signal frame is read whole")
    let reader = ByteReader(bytes: bytes)
    restorer = reader.get64(at: 0)
    flags = reader.get64(at: Self.ucontextOffset)
    link = reader.get64(at: Self.ucontextOffset + 8)
    stack = SignalStack(
      base: reader.get64(at: Self.stackOffset),
      flags: Int32(bitPattern: reader.get32(at: Self.stackOffset + 8)),
      size: reader.get64(at: Self.stackOffset + 16))
    let context = Self.sigcontextOffset
    var words = [UInt64]()
    for index in 0..<SignalRegisters.generalWordCount {
      words.append(reader.get64(at: context + 8 * index))
    }
    var registers = SignalRegisters(generalWords: words)
    registers.eflags = reader.get64(at: context + Self.eflagsOffset)
    registers.cs = reader.get16(at: context + Self.csOffset)
    registers.ss = reader.get16(at: context + Self.ssOffset)
    self.registers = registers
    errorCode = reader.get64(at: context + Self.errOffset)
    trapNumber = reader.get64(at: context + Self.trapnoOffset)
    faultAddress = reader.get64(at: context + Self.cr2Offset)
    fpstate = reader.get64(at: context + Self.fpstateOffset)
    mask = SignalSet(rawValue: reader.get64(at: Self.sigmaskOffset))
    info = nil
  }
}

extension SystemCallNumber {
  /// `rt_sigreturn` (syscall_64.tbl): the restorer's call at the end of a handler.
  public static let rt_sigreturn: UInt64 = 15
}
