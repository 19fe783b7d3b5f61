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
    var bytes = [UInt8](repeating: 0, count: Self.byteCount)
    bytes.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
    return bytes
  }

  /// Writes the frame's 440 bytes at `destination` (8-byte aligned), every byte the layout
  /// does not name zero: the signal-delivery path builds it in place this way, with one store
  /// per field and no intermediate array.
  public func write(to destination: UnsafeMutableRawPointer) {
    // All 440 bytes, a constant count: a variable one (sparing the siginfo that `info` writes
    // again) becomes a call of the kernel's byte-wise `memset`, ~280 instructions dearer.
    destination.zeroQuadwords(Self.byteCount)
    destination.storeLittleEndian(restorer, at: 0)
    destination.storeLittleEndian(flags, at: Self.ucontextOffset)
    destination.storeLittleEndian(link, at: Self.ucontextOffset + 8)
    destination.storeLittleEndian(stack.base, at: Self.stackOffset)
    destination.storeLittleEndian(UInt32(bitPattern: stack.flags), at: Self.stackOffset + 8)
    destination.storeLittleEndian(stack.size, at: Self.stackOffset + 16)
    let context = Self.sigcontextOffset
    registers.writeGeneralWords(to: destination + context)
    destination.storeLittleEndian(registers.eflags, at: context + Self.eflagsOffset)
    destination.storeLittleEndian(registers.cs, at: context + Self.csOffset)
    destination.storeLittleEndian(registers.ss, at: context + Self.ssOffset)
    destination.storeLittleEndian(errorCode, at: context + Self.errOffset)
    destination.storeLittleEndian(trapNumber, at: context + Self.trapnoOffset)
    destination.storeLittleEndian(mask.rawValue, at: context + Self.oldmaskOffset)
    destination.storeLittleEndian(faultAddress, at: context + Self.cr2Offset)
    destination.storeLittleEndian(fpstate, at: context + Self.fpstateOffset)
    destination.storeLittleEndian(mask.rawValue, at: Self.sigmaskOffset)
    info?.write(to: destination + Self.infoOffset)
  }

  /// The frame as `rt_sigreturn` reads it back from `bytes` (at least `ucontextEnd` of them,
  /// from `pretcode` on); `info` is not read.
  public init(decoding bytes: [UInt8]) {
    precondition(bytes.count >= Self.ucontextEnd, "a signal frame is read whole")
    self = bytes.withUnsafeBytes { SignalFrame(reading: $0.baseAddress!) }
  }

  /// The frame read back from the `ucontextEnd` bytes at `source` (any alignment); `info` is
  /// not read.
  public init(reading source: UnsafeRawPointer) {
    func get64(_ offset: Int) -> UInt64 {
      UInt64(littleEndian: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }
    restorer = get64(0)
    flags = get64(Self.ucontextOffset)
    link = get64(Self.ucontextOffset + 8)
    stack = SignalStack(
      base: get64(Self.stackOffset),
      flags: Int32(
        bitPattern: UInt32(
          littleEndian: source.loadUnaligned(
            fromByteOffset: Self.stackOffset + 8, as: UInt32.self))),
      size: get64(Self.stackOffset + 16))
    let context = Self.sigcontextOffset
    var registers = SignalRegisters(readingGeneralWords: source + context)
    registers.eflags = get64(context + Self.eflagsOffset)
    registers.cs = UInt16(
      littleEndian: source.loadUnaligned(fromByteOffset: context + Self.csOffset, as: UInt16.self))
    registers.ss = UInt16(
      littleEndian: source.loadUnaligned(fromByteOffset: context + Self.ssOffset, as: UInt16.self))
    self.registers = registers
    errorCode = get64(context + Self.errOffset)
    trapNumber = get64(context + Self.trapnoOffset)
    faultAddress = get64(context + Self.cr2Offset)
    fpstate = get64(context + Self.fpstateOffset)
    mask = SignalSet(rawValue: get64(Self.sigmaskOffset))
    info = nil
  }
}

extension SystemCallNumber {
  /// `rt_sigreturn` (syscall_64.tbl): the restorer's call at the end of a handler.
  public static let rt_sigreturn: UInt64 = 15
}
