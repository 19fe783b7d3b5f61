import KernelSupport

/// The saved registers of an interrupted context (`struct trap_frame` in KernelSupport.h).
typealias TrapFrame = trap_frame

/// The Swift side of every CPU exception and interrupt: called by trap_entry.S with the saved
/// frame, which handlers may edit (a probe's recovery changes RIP) before the stub returns with
/// IRETQ. A trap or interrupt from ring 3 ends with the scheduler's checks (a kill, a
/// preemption). Returns the frame trap_entry.S resumes: `frame`, or — when the fault was the
/// IRETQ back to ring 3 itself — the thread's user frame, now the fault's (`BadInterruptReturn`).
@_cdecl("kernel_trap_dispatch")
func kernelTrapDispatch(_ frame: UnsafeMutablePointer<TrapFrame>) -> UnsafeMutablePointer<
  TrapFrame
> {
  if BadInterruptReturn.isBadReturn(frame) {
    let userFrame = BadInterruptReturn.reflect(frame)
    Scheduler.returningToUser()
    return userFrame
  }
  handleTrap(frame)
  if frame.pointee.cs & 3 == 3 { Scheduler.returningToUser() }
  return frame
}

/// Hands the trap to its handler.
func handleTrap(_ frame: UnsafeMutablePointer<TrapFrame>) {
  if Panic.inProgress { Panic.nestedTrap(frame) }
  // Page faults first, with one comparison: they are nearly every trap a process takes.
  if frame.pointee.vector == UInt64(ExceptionVector.pageFault.rawValue) {
    PageFaultTrap.handle(frame)
    return
  }
  // Interrupts next: the timer's arrive from ring 3 all the time and are no process's fault.
  if frame.pointee.vector >= UInt64(InterruptDescriptorTable.exceptionCount) {
    InterruptDispatch.handle(frame)
    return
  }
  if ProcessFaults.isUserException(frame) { return ProcessFaults.userException(frame) }
  switch ExceptionVector(rawValue: Int(frame.pointee.vector)) {
  case .pageFault: PageFaultTrap.handle(frame)
  case .doubleFault: DoubleFaultTrap.handle(frame)
  default: Panic.exception(frame)
  }
}
