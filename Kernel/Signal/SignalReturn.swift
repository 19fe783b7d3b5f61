import KernelSupport

/// `rt_sigreturn`: the handler's `ret` landed in the restorer, which made this call with RSP
/// just past the frame's return address, so the frame is at RSP − 8 (Linux's rule). It puts
/// back what delivery saved: every general register, RIP, RSP, the user-changeable RFLAGS bits
/// (`FIX_EFLAGS`), the mask (never SIGKILL/SIGSTOP), the alternate-stack setting (`uc_stack`,
/// as `restore_altstack`: refused silently while on the stack) and the FPU state (MXCSR
/// sanitised so FXRSTOR cannot fault); CS and SS are forced to the user selectors. The return
/// goes through IRETQ (syscall_entry takes it whenever RCX/R11 do not match RIP/RFLAGS), so
/// RCX and R11 come back too; the call's "result" is the restored RAX. A frame that cannot be
/// read, or a non-canonical RIP, kills with SIGSEGV (Linux's `badframe`).
enum SignalReturn {
  static func rtSigreturn(_ call: SystemCallArguments) -> UInt64 {
    let thread = Processor.current.thread
    let frame = call.frame!
    let address = frame.pointee.rsp &- 8
    var fpu = [UInt8]()
    let saved: SignalFrame
    do throws(LinuxErrno) {
      saved = SignalFrame(decoding: try readBytes(at: address, count: SignalFrame.ucontextEnd))
      if saved.fpstate != 0 {
        fpu = try readBytes(at: saved.fpstate, count: FXSaveImage.byteCount)
      }
    } catch {
      bad("the frame at " + hex(address) + " is not readable", frame)
    }
    guard SignalRegisters.isCanonical(saved.registers.rip) else {
      bad("non-canonical RIP " + hex(saved.registers.rip), frame)
    }
    thread.signals.setMask(saved.mask)
    restoreAlternateStack(saved.stack, thread, stackPointer: frame.pointee.rsp)
    restore(saved.registers, frame)
    restoreFPU(&fpu, known: saved.fpstate != 0, thread)
    SignalDelivery.attendIfDeliverable(thread)
    return saved.registers.rax
  }

  /// `count` bytes (at most a page) of user memory at `address`.
  static func readBytes(at address: UInt64, count: Int) throws(LinuxErrno) -> [UInt8] {
    try UserMemory.copyIn(from: address, count: count, to: UserMemory.bounce)
    let source = UserMemory.bounce.assumingMemoryBound(to: UInt8.self)
    return [UInt8](UnsafeBufferPointer(start: source, count: count))
  }

  /// The registers into the trap frame the return IRETQs from.
  static func restore(_ registers: SignalRegisters, _ frame: UnsafeMutablePointer<TrapFrame>) {
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
    frame.pointee.cs = UInt64(SegmentSelector.userCode)
    frame.pointee.ss = UInt64(SegmentSelector.userData)
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
  static func restoreFPU(_ image: inout [UInt8], known: Bool, _ thread: KernelThread) {
    let area = thread.stack!.fpuArea
    guard known else {
      user_fpu_state_initial(area)
      return
    }
    user_fpu_state_save(area)
    let supported = area.load(fromByteOffset: FXSaveImage.mxcsrMaskOffset, as: UInt32.self)
    FXSaveImage.sanitize(&image, supportedMask: supported)
    image.withUnsafeBytes { raw in
      area.copyMemory(from: raw.baseAddress!, byteCount: FXSaveImage.byteCount)
    }
    user_fpu_state_restore(area)
  }

  /// The kill for a frame `rt_sigreturn` cannot use.
  static func bad(_ why: String, _ frame: UnsafeMutablePointer<TrapFrame>) -> Never {
    ProcessFaults.end(
      "rt_sigreturn: " + why + ", RIP " + hex(frame.pointee.rip),
      signal: ProcessEnd.signalSegmentationViolation)
  }
}
