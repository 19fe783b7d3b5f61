import KernelSupport

/// Running signal handlers: on the way back to ring 3, each pending signal the thread does not
/// block is acted on (`SignalState.nextDelivery`): a terminating one ends the process; a
/// caught one gets a Linux x86-64 signal frame (`SignalFrame`, placed by
/// `SignalFramePlacement`) written on the user stack with the user-copy routines, and the
/// thread's trap frame is edited to enter the handler. `rt_sigreturn` (`SignalReturn`) undoes
/// it. A system call interrupted by the signal is answered EINTR or restarted here (Linux's
/// `handle_signal` / `arch_do_signal_or_restart` rules, `SystemCallRestart`).
enum SignalDelivery {
  /// `SA_ONSTACK`, `SA_RESTART`, `SA_NODEFER`, `SA_RESTORER` (asm-generic/signal-defs.h,
  /// x86's signal.h).
  static let SA_ONSTACK: UInt64 = 0x0800_0000
  static let SA_RESTART: UInt64 = 0x1000_0000
  static let SA_NODEFER: UInt64 = 0x4000_0000
  static let SA_RESTORER: UInt64 = 0x0400_0000

  /// Whether the return to ring 3 of `thread` has signal work: a deliverable signal, or a
  /// system call's restart answer to convert.
  static func hasWork(_ thread: KernelThread) -> Bool {
    guard let process = thread.process else { return false }
    return process.signals.isDeliverable(to: thread.signals)
      || SystemCallRestart.pending(thread.userFrame)
  }

  /// Asks for the slow return path of `thread` if a signal is deliverable to it (every change
  /// that can make one so calls this: a send, an unblocking, `rt_sigreturn`'s mask).
  static func attendIfDeliverable(_ thread: KernelThread) {
    guard let process = thread.process, process.signals.isDeliverable(to: thread.signals)
    else { return }
    Scheduler.shared.requestAttention(thread)
  }

  /// The signals hook of the return to ring 3: delivers every deliverable signal (nesting
  /// frames, each handler's mask in force for the next, as Linux's exit loop does).
  static func deliverPending(_ thread: KernelThread) {
    guard let process = thread.process else { return }
    let frame = thread.userFrame
    var handlerRan = false
    while let delivery = process.signals.nextDelivery(thread: &thread.signals) {
      switch delivery {
      case .terminate(let signal):
        ProcessConsole.line(
          process.label + " killed by its pending signal " + String(signal.rawValue))
        ProcessExit.end(process, .killed(signal: UInt64(signal.rawValue)))
      case .handle(let info, let action):
        if info.signal == .SIGALRM { RealTimers.catchUp(process) }  // an interval re-arms
        SystemCallRestart.convert(
          frame, handlerRuns: true, restartAllowed: action.flags & SA_RESTART != 0)
        enterHandler(info, action, thread, process, frame)
        handlerRan = true
      }
    }
    guard !handlerRan else { return }
    SystemCallRestart.convert(frame, handlerRuns: false, restartAllowed: true)
    if let mask = thread.signals.maskAfterSuspend {
      thread.signals.setMask(mask)
      thread.signals.maskAfterSuspend = nil
    }
  }

  /// Writes the frame for `info`'s handler and points the thread at it; a frame that cannot
  /// be written (no `SA_RESTORER`, a bad stack, an alternate stack too small or unmapped) kills
  /// the process with SIGSEGV (Linux's `force_sigsegv`).
  static func enterHandler(
    _ info: SignalInfo, _ action: SignalAction, _ thread: KernelThread, _ process: UserProcess,
    _ frame: UnsafeMutablePointer<TrapFrame>
  ) {
    let signals = thread.signals
    guard action.flags & SA_RESTORER != 0 else {
      frameFailed(info, "no SA_RESTORER", frame)
    }
    guard
      let placement = SignalFramePlacement.place(
        stackPointer: frame.pointee.rsp, alternate: signals.alternateStack,
        onStack: action.flags & SA_ONSTACK != 0)
    else { frameFailed(info, "the frame overflows the alternate stack", frame) }
    let area = thread.stack!.fpuArea
    user_fpu_state_save(area)
    var image = SignalFrame(
      restorer: action.restorer,
      flags: UserSegments.contextFlags(
        interruptedCodeSelector: UInt16(truncatingIfNeeded: frame.pointee.cs)),
      stack: signals.alternateStack,
      registers: registers(of: frame), fpstate: placement.fpstate,
      mask: signals.maskAfterSuspend ?? signals.blocked, info: info)
    image.trapNumber = signals.lastTrap.vector
    image.errorCode = signals.lastTrap.errorCode
    image.faultAddress = signals.lastTrap.address
    let staging = UserMemory.bounce  // the frame is built here, then copied out at once
    image.write(to: staging)
    do throws(LinuxErrno) {
      try UserMemory.copyOut(area, count: FXSaveImage.byteCount, to: placement.fpstate)
      try UserMemory.copyOut(staging, count: SignalFrame.byteCount, to: placement.frame)
    } catch {
      frameFailed(info, "the stack at " + hex(placement.frame) + " is not writable", frame)
    }
    if signals.alternateStack.flags & SignalStack.SS_AUTODISARM != 0 {
      thread.signals.alternateStack = .disabled
    }
    thread.signals.maskAfterSuspend = nil
    var mask = signals.blocked.union(action.mask)
    if action.flags & SA_NODEFER == 0 { mask.insert(info.signal) }
    thread.signals.setMask(mask)
    user_fpu_state_initial(area)  // the handler starts with a clean FPU, as on Linux
    frame.pointee.rip = action.handler
    frame.pointee.rsp = placement.frame
    frame.pointee.rdi = UInt64(info.signal.rawValue)
    frame.pointee.rsi = placement.frame + UInt64(SignalFrame.infoOffset)
    frame.pointee.rdx = placement.frame + UInt64(SignalFrame.ucontextOffset)
    frame.pointee.rax = 0
    frame.pointee.rflags = SignalRegisters.handlerFlags(frame.pointee.rflags)
    frame.pointee.cs = UInt64(SegmentSelector.userCode)
    frame.pointee.ss = UInt64(SegmentSelector.userData)
  }

  /// The kill for a frame that could not be set up.
  static func frameFailed(
    _ info: SignalInfo, _ why: String, _ frame: UnsafeMutablePointer<TrapFrame>
  ) -> Never {
    ProcessFaults.end(
      "cannot deliver signal " + String(info.signal.rawValue) + ": " + why + ", RIP "
        + hex(frame.pointee.rip), signal: ProcessEnd.signalSegmentationViolation)
  }

  /// The user registers of a trap frame, as a signal frame saves them.
  static func registers(of frame: UnsafeMutablePointer<TrapFrame>) -> SignalRegisters {
    let saved = frame.pointee
    var registers = SignalRegisters()
    registers.r8 = saved.r8
    registers.r9 = saved.r9
    registers.r10 = saved.r10
    registers.r11 = saved.r11
    registers.r12 = saved.r12
    registers.r13 = saved.r13
    registers.r14 = saved.r14
    registers.r15 = saved.r15
    registers.rdi = saved.rdi
    registers.rsi = saved.rsi
    registers.rbp = saved.rbp
    registers.rbx = saved.rbx
    registers.rdx = saved.rdx
    registers.rax = saved.rax
    registers.rcx = saved.rcx
    registers.rsp = saved.rsp
    registers.rip = saved.rip
    registers.eflags = saved.rflags
    registers.cs = UInt16(truncatingIfNeeded: saved.cs)
    registers.ss = UInt16(truncatingIfNeeded: saved.ss)
    return registers
  }
}
