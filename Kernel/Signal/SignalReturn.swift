import KernelSupport

/// `rt_sigreturn`: the handler's `ret` landed in the restorer, which made this call with RSP
/// just past the frame's return address, so the frame is at RSP − 8 (Linux's rule). It puts
/// back what delivery saved: every general register, RIP, RSP, the user-changeable RFLAGS bits
/// (`FIX_EFLAGS`), the mask (never SIGKILL/SIGSTOP), the alternate-stack setting (`uc_stack`,
/// as `restore_altstack`: refused silently while on the stack) and the FPU state (MXCSR
/// checked first so FXRSTOR cannot fault in the kernel: an unsupported bit is a bad frame), and
/// CS and SS as the frame has them, RPL 3 (`UserSegments.restored`). The return goes through
/// IRETQ (syscall_entry takes it whenever RCX/R11 do not match RIP/RFLAGS or the selectors
/// are not SYSRET's), so RCX and R11 come back too, and a selector the IRETQ refuses is the
/// process's #GP/#NP/#SS (`BadInterruptReturn`); the call's "result" is the restored RAX. A frame that cannot be
/// read, a non-canonical RIP or a bad MXCSR is a forced SIGSEGV (Linux's `badframe`, `bad`).
enum SignalReturn {
  static func rtSigreturn(_ call: SystemCallArguments) -> UInt64 {
    let thread = Processor.current.thread
    let frame = call.frame!
    let address = frame.pointee.rsp &- 8
    let fpu = fpuStaging
    let saved: SignalFrame
    do throws(LinuxErrno) {
      try UserMemory.copyIn(from: address, count: SignalFrame.ucontextEnd, to: UserMemory.bounce)
      saved = SignalFrame(reading: UserMemory.bounce)
      if saved.fpstate != 0 {
        try UserMemory.copyIn(from: saved.fpstate, count: FXSaveImage.byteCount, to: fpu)
      }
    } catch {
      frame.pointee.error_code = SystemCallRestart.noSystemCall
      bad("the frame at " + hex(address) + " is not readable", frame)
      return 0  // Linux's badframe answer: nothing restored
    }
    thread.signals.setMask(saved.mask)
    restoreAlternateStack(saved.stack, thread, stackPointer: frame.pointee.rsp)
    restore(saved.registers, contextFlags: saved.flags, frame)
    guard SignalRegisters.isCanonical(saved.registers.rip) else {
      // Linux restores it and the IRET back to it raises #GP: SIGSEGV with that RIP.
      thread.signals.lastTrap = TrapRecord(
        vector: UInt64(ExceptionVector.generalProtection.rawValue), errorCode: 0, address: 0)
      restoreFPU(fpu, known: saved.fpstate != 0, thread)
      bad("non-canonical RIP " + hex(saved.registers.rip), frame)
      return saved.registers.rax
    }
    let area = thread.stack!.fpuArea
    user_fpu_state_save(area)  // FXSAVE writes this CPU's MXCSR_MASK (not the user's copy)
    let supported = area.load(fromByteOffset: FXSaveImage.mxcsrMaskOffset, as: UInt32.self)
    guard saved.fpstate == 0 || FXSaveImage.isLoadable(at: fpu, supportedMask: supported) else {
      // Linux's FXRSTOR faults after the registers are restored; the FPU state is reset.
      user_fpu_state_initial(area)
      bad("the frame's MXCSR has bits this CPU does not support", frame)
      return saved.registers.rax
    }
    restoreFPU(fpu, known: saved.fpstate != 0, thread)
    SignalDelivery.attendIfDeliverable(thread)
    return saved.registers.rax
  }

  /// Where the frame's FXSAVE image is read to: the bounce buffer's half past the frame
  /// (`fpstateStagingOffset`, 16-aligned as FXRSTOR needs).
  static var fpuStaging: UnsafeMutableRawPointer {
    UserMemory.bounce + fpstateStagingOffset
  }
  static let fpstateStagingOffset = UserMemory.bounceSize / 2

  /// `count` bytes (at most a page) of user memory at `address`.
  static func readBytes(at address: UInt64, count: Int) throws(LinuxErrno) -> [UInt8] {
    try UserMemory.copyIn(from: address, count: count, to: UserMemory.bounce)
    let source = UserMemory.bounce.assumingMemoryBound(to: UInt8.self)
    return [UInt8](UnsafeBufferPointer(start: source, count: count))
  }

  /// The registers into the trap frame the return IRETQs from; CS and SS as Linux restores
  /// them (`UserSegments.restored`: the frame's, RPL 3 — a bad one faults at the IRETQ,
  /// `BadInterruptReturn`).
  static func restore(
    _ registers: SignalRegisters, contextFlags: UInt64, _ frame: UnsafeMutablePointer<TrapFrame>
  ) {
    frame.pointee.r8 = registers.r8
    frame.pointee.r9 = registers.r9
    frame.pointee.r10 = registers.r10
    frame.pointee.r11 = registers.r11
    frame.pointee.r12 = registers.r12
    frame.pointee.r13 = registers.r13
    frame.pointee.r14 = registers.r14
    frame.pointee.r15 = registers.r15
    frame.pointee.rdi = registers.rdi
    frame.pointee.rsi = registers.rsi
    frame.pointee.rbp = registers.rbp
    frame.pointee.rbx = registers.rbx
    frame.pointee.rdx = registers.rdx
    frame.pointee.rax = registers.rax
    frame.pointee.rcx = registers.rcx
    frame.pointee.rsp = registers.rsp
    frame.pointee.rip = registers.rip
    frame.pointee.rflags = SignalRegisters.restoredFlags(
      current: frame.pointee.rflags, saved: registers.eflags)
    let selectors = UserSegments.restored(
      codeSelector: registers.cs, stackSelector: registers.ss, contextFlags: contextFlags)
    frame.pointee.cs = UInt64(selectors.cs)
    frame.pointee.ss = UInt64(selectors.ss)
    frame.pointee.error_code = SystemCallRestart.noSystemCall  // no restart to convert
  }

  /// `restore_altstack`: `uc_stack` set as `sigaltstack` would, its errors ignored.
  static func restoreAlternateStack(
    _ stack: SignalStack, _ thread: KernelThread, stackPointer: UInt64
  ) {
    if let replaced = try? thread.signals.alternateStack.replaced(by: stack, at: stackPointer) {
      thread.signals.alternateStack = replaced
    }
  }

  /// Loads the frame's FXSAVE image (MXCSR limited to what this CPU supports), or the initial
  /// state for a frame without one.
  static func restoreFPU(_ image: UnsafeMutableRawPointer, known: Bool, _ thread: KernelThread) {
    let area = thread.stack!.fpuArea
    guard known else {
      user_fpu_state_initial(area)
      return
    }
    FXSaveImage.clearSoftwareReserved(at: image)
    area.copyMemory(from: image, byteCount: FXSaveImage.byteCount)
    user_fpu_state_restore(area)
  }

  /// A frame `rt_sigreturn` cannot use: SIGSEGV (SI_KERNEL) forced on the thread, as Linux's
  /// `signal_fault` → `force_sig(SIGSEGV)`: its handler runs if installed and not blocked,
  /// otherwise the process is killed with one line naming `why`.
  static func bad(_ why: String, _ frame: UnsafeMutablePointer<TrapFrame>) {
    ProcessFaults.force(
      .kernel(.SIGSEGV), "rt_sigreturn: " + why + ", RIP " + hex(frame.pointee.rip))
  }
}
