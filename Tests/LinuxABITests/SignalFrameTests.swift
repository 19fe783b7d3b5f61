import KernelMemory
import LinuxABI
import Testing

/// The signal frame's bytes (Linux 6.1's `struct rt_sigframe` for x86-64), its placement on
/// the stack, `sigaltstack`'s rules, and the signals the CPU's exceptions and the page trap's
/// refusals become.
@Suite struct SignalFrameTests {
  func word(_ bytes: [UInt8], _ offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
    return value
  }

  func sampleRegisters() -> SignalRegisters {
    var registers = SignalRegisters()
    registers.r8 = 0x0808
    registers.r15 = 0x1515
    registers.rdi = 0xd1
    registers.rax = 0xaa
    registers.rcx = 0xcc
    registers.rsp = 0x7fff_0000
    registers.rip = 0x40_1234
    registers.eflags = 0x246
    registers.cs = 0x23
    registers.ss = 0x1b
    return registers
  }

  /// Field offsets as glibc's `ucontext_t` / the kernel's `struct sigcontext` have them.
  @Test func theFrameHasLinuxsLayout() {
    var frame = SignalFrame(
      restorer: 0x40_2000, flags: SignalFrame.kernelFlags,
      stack: SignalStack(base: 0x1000, flags: 0, size: 0x4000), registers: sampleRegisters(),
      fpstate: 0x7ffe_ff00, mask: SignalSet(.SIGUSR1),
      info: SignalInfo(signal: .SIGSEGV, code: 2, details: .fault(address: 0xdead)))
    frame.trapNumber = 14
    frame.errorCode = 7
    frame.faultAddress = 0xdead
    let bytes = frame.image
    #expect(bytes.count == 440)
    #expect(word(bytes, 0) == 0x40_2000)  // pretcode
    #expect(word(bytes, 8) == 0x6)  // uc_flags: UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS
    #expect(word(bytes, 24) == 0x1000 && word(bytes, 40) == 0x4000)  // uc_stack sp, size
    let context = 48  // uc_mcontext; gregs in the kernel's order: r8 first
    #expect(word(bytes, context) == 0x0808 && word(bytes, context + 7 * 8) == 0x1515)
    #expect(word(bytes, context + 8 * 8) == 0xd1)  // rdi
    #expect(word(bytes, context + 13 * 8) == 0xaa && word(bytes, context + 14 * 8) == 0xcc)
    #expect(word(bytes, context + 15 * 8) == 0x7fff_0000)  // rsp
    #expect(word(bytes, context + 16 * 8) == 0x40_1234)  // rip = gregs[REG_RIP = 16]
    #expect(word(bytes, context + 17 * 8) == 0x246)  // eflags
    #expect(bytes[context + 144] == 0x23 && bytes[context + 150] == 0x1b)  // cs, ss
    #expect(word(bytes, context + 152) == 7 && word(bytes, context + 160) == 14)  // err, trapno
    #expect(word(bytes, context + 168) == 1 << 9)  // oldmask
    #expect(word(bytes, context + 176) == 0xdead)  // cr2
    #expect(word(bytes, context + 184) == 0x7ffe_ff00)  // fpstate
    #expect(word(bytes, 304) == 1 << 9)  // uc_sigmask
    #expect(bytes[312] == 11 && bytes[320] == 2 && word(bytes, 328) == 0xdead)  // siginfo
  }

  @Test func theFrameDecodesWhatItEncodes() {
    let frame = SignalFrame(
      restorer: 0x40_2000, flags: SignalFrame.kernelFlags,
      stack: SignalStack(base: 0x1000, flags: SignalStack.SS_AUTODISARM, size: 0x4000),
      registers: sampleRegisters(), fpstate: 0x7ffe_ff00, mask: SignalSet(.SIGTERM, .SIGHUP),
      info: nil)
    #expect(SignalFrame(decoding: frame.image) == frame)
  }

  /// The in-place writer the delivery path uses leaves no byte of what was there before (the
  /// staging buffer is shared), and the reader takes the frame from any address.
  @Test func theFrameIsWrittenAndReadInPlace() {
    var frame = SignalFrame(
      restorer: 0x40_2000, flags: SignalFrame.kernelFlags,
      stack: SignalStack(base: 0x1000, flags: SignalStack.SS_AUTODISARM, size: 0x4000),
      registers: sampleRegisters(), fpstate: 0x7ffe_ff00, mask: SignalSet(.SIGTERM),
      info: SignalInfo(signal: .SIGSEGV, code: 2, details: .fault(address: 0xdead)))
    frame.errorCode = 7
    var staging = [UInt8](repeating: 0xa5, count: SignalFrame.byteCount + 9)
    staging.withUnsafeMutableBytes { frame.write(to: $0.baseAddress! + 8) }
    #expect(Array(staging[8..<8 + SignalFrame.byteCount]) == frame.image)
    #expect(staging[0..<8].allSatisfy { $0 == 0xa5 } && staging.last == 0xa5)
    var read = staging.withUnsafeBytes { SignalFrame(reading: $0.baseAddress! + 8) }
    #expect(read.info == nil)
    read.info = frame.info
    #expect(read == frame)
    var unaligned = [UInt8](repeating: 0, count: SignalFrame.byteCount + 3)
    unaligned.replaceSubrange(3..<3 + SignalFrame.byteCount, with: frame.image)
    read = unaligned.withUnsafeBytes { SignalFrame(reading: $0.baseAddress! + 3) }
    read.info = frame.info
    #expect(read == frame)
  }

  /// The FXSAVE checks on an image in place, as `rt_sigreturn` uses them, agree with the
  /// array forms.
  @Test func theFXSaveImageIsCheckedInPlace() {
    var image = [UInt8](repeating: 0x5a, count: FXSaveImage.byteCount)
    image.replaceSubrange(24..<28, with: [0x80, 0x1f, 0, 0])  // MXCSR 0x1f80
    image.withUnsafeMutableBytes { raw in
      #expect(FXSaveImage.isLoadable(at: raw.baseAddress!, supportedMask: 0xffff))
      raw.storeBytes(of: UInt32(0x1_0000), toByteOffset: 24, as: UInt32.self)
      #expect(!FXSaveImage.isLoadable(at: raw.baseAddress!, supportedMask: 0xffff))
      FXSaveImage.clearSoftwareReserved(at: raw.baseAddress!)
    }
    #expect(image[464..<512].allSatisfy { $0 == 0 } && image[463] == 0x5a)
  }

  /// RSP % 16 == 8 at entry, the red zone skipped, fpstate 64-aligned above the frame.
  @Test func theFrameIsPlacedAsLinuxPlacesIt() {
    let sp: UInt64 = 0x7fff_1234
    let placement = SignalFramePlacement.place(
      stackPointer: sp, alternate: .disabled, onStack: true)!
    #expect(placement.frame % 16 == 8 && placement.fpstate % 64 == 0)
    #expect(placement.fpstate + 512 <= sp - 128)
    #expect(placement.frame + 440 <= placement.fpstate)
    #expect(!placement.entersAlternateStack)
  }

  @Test func anOnStackHandlerMovesToTheAlternateStackOnce() {
    let alternate = SignalStack(base: 0x10_0000, flags: 0, size: 0x2000)
    let first = SignalFramePlacement.place(
      stackPointer: 0x7fff_0000, alternate: alternate, onStack: true)!
    #expect(first.entersAlternateStack && alternate.contains(first.frame))
    #expect(first.fpstate == 0x10_2000 - 512)
    // Nested: already on it, the next frame goes below the current RSP there.
    let nested = SignalFramePlacement.place(
      stackPointer: first.frame, alternate: alternate, onStack: true)!
    #expect(!nested.entersAlternateStack && nested.frame < first.frame)
    // Without SA_ONSTACK the thread's own stack is used.
    let plain = SignalFramePlacement.place(
      stackPointer: 0x7fff_0000, alternate: alternate, onStack: false)!
    #expect(plain.frame > 0x7ffe_0000)
    // Too small for a frame: refused (SIGSEGV).
    let tiny = SignalStack(base: 0x10_0000, flags: 0, size: 0x200)
    #expect(
      SignalFramePlacement.place(stackPointer: 0x7fff_0000, alternate: tiny, onStack: true)
        == nil)
  }

  @Test func sigaltstackRulesAreLinuxs() throws {
    let current = SignalStack(base: 0x10_0000, flags: 0, size: 0x4000)
    let new = SignalStack(base: 0x20_0000, flags: 0, size: 0x4000)
    #expect(throws: LinuxErrno.EPERM) { try current.replaced(by: new, at: 0x10_1000) }
    #expect(throws: LinuxErrno.EINVAL) {
      try current.replaced(by: SignalStack(base: 0, flags: 0x10, size: 0x4000), at: 0)
    }
    #expect(throws: LinuxErrno.ENOMEM) {
      try current.replaced(by: SignalStack(base: 0, flags: 0, size: 2047), at: 0)
    }
    #expect(try current.replaced(by: new, at: 0) == new)
    let off = try current.replaced(
      by: SignalStack(base: 0x20_0000, flags: SignalStack.SS_DISABLE, size: 99), at: 0)
    #expect(off.base == 0 && off.size == 0 && !off.isEnabled)
    #expect(current.reported(at: 0x10_1000).flags == SignalStack.SS_ONSTACK)
    #expect(current.reported(at: 0x30_0000).flags == 0)
    #expect(SignalStack.disabled.reported(at: 0).flags == SignalStack.SS_DISABLE)
    let disarming = SignalStack(base: 0x10_0000, flags: SignalStack.SS_AUTODISARM, size: 0x4000)
    #expect(!disarming.contains(0x10_1000))  // never "on" it: no EPERM
    #expect(disarming.reported(at: 0x10_1000).flags == SignalStack.SS_AUTODISARM)
    #expect(SignalStack(decoding: new.image) == new)
  }

  @Test func rtSigreturnKeepsTheKernelsFlags() {
    let current: UInt64 = 0x202  // IF
    let saved: UInt64 = 0x3000 | 0x200 | 0x1 | 0x100 | 0x4_0000  // IOPL, IF, CF, TF, AC
    #expect(SignalRegisters.restoredFlags(current: current, saved: saved) == 0x4_0303)
    #expect(SignalRegisters.handlerFlags(0x1_0746) == 0x246)  // DF, TF, RF cleared
    #expect(SignalRegisters.isCanonical(0x7fff_ffff_f000) && !SignalRegisters.isCanonical(1 << 47))
    #expect(SignalRegisters.isCanonical(0xffff_8000_0000_0000))
  }

  @Test func fxrstorNeverSeesUnsupportedMXCSRBits() {
    var image = [UInt8](repeating: 0xff, count: 512)
    #expect(!FXSaveImage.isLoadable(image, supportedMask: 0xffff))
    image[26] = 0
    image[27] = 0
    #expect(FXSaveImage.isLoadable(image, supportedMask: 0xffff))
    #expect(!FXSaveImage.isLoadable(image, supportedMask: 0))  // unknown: 0xffbf, no DAZ
    FXSaveImage.clearSoftwareReserved(&image)
    #expect(image[464..<512].allSatisfy { $0 == 0 } && image[463] == 0xff)
  }

  @Test func exceptionsBecomeLinuxsSignals() {
    let fpu = FPUStatus(controlWord: 0x37f, statusWord: 0, mxcsr: 0x1f80)
    func expect(_ vector: Int, _ signal: LinuxSignal, _ code: Int32, _ address: UInt64) {
      let info = ExceptionSignal.info(vector: vector, rip: 0x40_1000, fpu: fpu)
      #expect(
        info == SignalInfo(signal: signal, code: code, details: .fault(address: address))
          || (info?.signal == signal && info?.code == code && address == 0))
    }
    expect(0, .SIGFPE, SignalInfo.FPE_INTDIV, 0x40_1000)
    expect(6, .SIGILL, SignalInfo.ILL_ILLOPN, 0x40_1000)
    expect(3, .SIGTRAP, SignalInfo.SI_KERNEL, 0)
    expect(13, .SIGSEGV, SignalInfo.SI_KERNEL, 0)
    expect(4, .SIGSEGV, SignalInfo.SI_KERNEL, 0)
    expect(11, .SIGBUS, SignalInfo.SI_KERNEL, 0)
    expect(17, .SIGBUS, SignalInfo.BUS_ADRALN, 0)
    // #MF: FSW's raised flags not masked by FCW, in Linux's order.
    let zeroDivide = FPUStatus(controlWord: 0x37b, statusWord: 0x0004 | 0x0020, mxcsr: 0)
    #expect(ExceptionSignal.floatingPointCode(vector: 16, zeroDivide) == SignalInfo.FPE_FLTDIV)
    let invalid = FPUStatus(controlWord: 0x340, statusWord: 0x3f, mxcsr: 0)
    #expect(ExceptionSignal.floatingPointCode(vector: 16, invalid) == SignalInfo.FPE_FLTINV)
    // #XM: MXCSR's flags (bits 0-5) not masked (bits 7-12).
    let overflow = FPUStatus(controlWord: 0, statusWord: 0, mxcsr: (0x1f80 & ~0x400) | 0x8)
    #expect(ExceptionSignal.floatingPointCode(vector: 19, overflow) == SignalInfo.FPE_FLTOVF)
    let underflow = FPUStatus(controlWord: 0, statusWord: 0, mxcsr: 0 | 0x10)
    #expect(ExceptionSignal.floatingPointCode(vector: 19, underflow) == SignalInfo.FPE_FLTUND)
    #expect(ExceptionSignal.info(vector: 19, rip: 0, fpu: fpu) == nil)  // spurious: no signal
  }

  @Test func refusedPageFaultsSaySEGV_MAPERRorSEGV_ACCERR() {
    func info(_ kind: KillReason.Kind) -> SignalInfo {
      KillReason(kind: kind, address: 0x1234, access: .write).signalInfo
    }
    #expect(info(.notMapped).code == SignalInfo.SEGV_MAPERR)
    #expect(info(.stackGuard).code == SignalInfo.SEGV_MAPERR)
    #expect(info(.accessViolation).code == SignalInfo.SEGV_ACCERR)
    #expect(info(.accessViolation).details == .fault(address: 0x1234))
    #expect(info(.nonCanonical).code == SignalInfo.SI_KERNEL)
    #expect(KillReason.pastEndOfFile(0x5000).code == SignalInfo.BUS_ADRERR)
  }

  @Test func siginfoLayouts() {
    let sent = SignalInfo.sent(.SIGUSR1, by: 42, toThread: true).image
    #expect(sent.count == 128 && sent[0] == 10 && sent[8] == 0xfa && sent[16] == 42)
    let child = SignalInfo(
      signal: .SIGCHLD, code: 1,
      details: .child(pid: 7, uid: 0, status: 3, userTicks: 0, systemTicks: 0)
    ).image
    #expect(child[16] == 7 && child[24] == 3)
  }
}
