import KernelSupport

/// A fault of the IRETQ that returns to ring 3 (Linux's `fixup_bad_iret`, reached from
/// `error_entry` when the faulting RIP is `native_irq_return_iret`).
///
/// `rt_sigreturn` restores the CS and SS a handler left in its frame (`UserSegments.restored`),
/// so the IRETQ of trap_frame_return may find a selector that is no usable ring-3 segment (a
/// null or kernel one, a data segment as CS, a code segment as SS, an LDT index with no LDT) —
/// or a non-canonical RIP. The CPU then raises #GP, #NP or #SS in ring 0, with the kernel's
/// RIP, below the frame being returned. That is the process's fault, not the kernel's: as on
/// Linux it becomes the exception's signal (SIGSEGV for #GP, SIGBUS for #NP and #SS, si_code
/// `SI_KERNEL`, the frame's `trapno` and `err` the exception's), as if raised by the first
/// user instruction: the interrupted registers are the ones the IRETQ was loading, so a
/// handler sees the bad selectors in its frame and can repair them.
enum BadInterruptReturn {
  /// The frame IRETQ pops, the last words of a `TrapFrame`: RIP, CS, RFLAGS, RSP, SS.
  static let cpuFrameBytes = 5 * MemoryLayout<UInt64>.size

  /// Whether `frame` is a fault of trap_frame_return's IRETQ: taken in ring 0 at that very
  /// instruction, and an exception an IRET's checks raise.
  static func isBadReturn(_ frame: UnsafeMutablePointer<TrapFrame>) -> Bool {
    guard frame.pointee.cs & 3 == 0, frame.pointee.rip == trap_frame_return_iret_address()
    else { return false }
    switch ExceptionVector(rawValue: Int(frame.pointee.vector)) {
    case .generalProtection, .segmentNotPresent, .stackSegmentFault: return true
    default: return false
    }
  }

  /// Moves the fault to the thread's user frame — the frame the IRETQ was returning (its
  /// RIP…SS words are where the fault's RSP points, above the fault's frame; the general
  /// registers are the ones it had popped) — and forces the exception's signal. Returns the user frame, which the
  /// return to ring 3 then goes through (a handler's entry, or the kill).
  static func reflect(_ frame: UnsafeMutablePointer<TrapFrame>) -> UnsafeMutablePointer<
    TrapFrame
  > {
    let thread = Processor.current.thread
    precondition(thread.process != nil, "a faulting IRETQ on a thread without a process")
    let userFrame = thread.userFrame
    let returnWords =
      UInt64(UInt(bitPattern: userFrame)) + UInt64(MemoryLayout<TrapFrame>.stride - cpuFrameBytes)
    precondition(
      frame.pointee.rsp == returnWords, "a faulting IRETQ that is not a return to ring 3")
    // The fault's frame lies across the user frame's register slots (the IRETQ had popped
    // them; the CPU pushed below its RSP): copy it out first, as Linux's fixup_bad_iret does.
    var fault = frame.pointee
    fault.rip = userFrame.pointee.rip
    fault.cs = userFrame.pointee.cs
    fault.rflags = userFrame.pointee.rflags
    fault.rsp = userFrame.pointee.rsp
    fault.ss = userFrame.pointee.ss
    userFrame.pointee = fault
    force(userFrame, thread)
    return userFrame
  }

  /// The exception's signal, forced as a ring-3 exception's is (`ProcessFaults`); without a
  /// handler the process is killed with one line naming the selectors.
  static func force(_ frame: UnsafeMutablePointer<TrapFrame>, _ thread: KernelThread) {
    let vector = Int(frame.pointee.vector)
    let info = ExceptionSignal.info(
      vector: vector, rip: frame.pointee.rip,
      fpu: FPUStatus(controlWord: 0, statusWord: 0, mxcsr: 0))!
    thread.signals.lastTrap = TrapRecord(
      vector: frame.pointee.vector, errorCode: frame.pointee.error_code, address: 0)
    let name = ExceptionVector(rawValue: vector)!.name.description
    ProcessFaults.force(
      info,
      "return to user mode refused: " + name + " (error code " + hex(frame.pointee.error_code)
        + ") for CS " + hex(frame.pointee.cs) + ", SS " + hex(frame.pointee.ss) + ", RIP "
        + hex(frame.pointee.rip))
  }
}
