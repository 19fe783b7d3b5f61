import KernelSupport

/// A process's end, whatever the cause (`exit`/`exit_group`, a fatal signal, a fault): the
/// exit line, then everything it holds goes back at once — its address space is torn down
/// (after CR3 is switched to the kernel's tables: nothing may walk freed tables) and its
/// descriptors closed — and it becomes a zombie. Its children go to the launch's first
/// process; its parent gets SIGCHLD (recorded with Linux's default action: ignored) and its
/// waits are woken. When the launch's first process ends, every other process still alive
/// is killed (the run-elf contract, Kernel/PROCESSES.md). The thread then ends; its kernel
/// stack is freed by the next thread to run.
///
/// With several threads the process ends with its last one: the first cause (`exit_group`,
/// a fatal signal, a fault) is recorded as the group's end (`UserProcess.groupExit`), every
/// other thread is killed (`ThreadGroup.stopOthers`), and each ends alone
/// (`ThreadExit.endCurrent`) as it reaches its way back to ring 3; the last to end carries
/// out the process's end below, once.
enum ProcessExit {
  static func end(_ process: UserProcess, _ requested: ProcessEnd) -> Never {
    let end = process.groupExit ?? requested
    if process.groupExit == nil {
      process.groupExit = end
      ThreadGroup.stopOthers(of: process)
    }
    if process.threads.count > 1 { ThreadExit.endCurrent() }
    ThreadExit.releaseUserState(Processor.current.thread)
    process.finishVfork()
    ProcessRunner.samplePeakResidency()
    let now = timestamp_counter_read()
    if process.parent == nil {  // a launch's first process
      ProcessRunner.report(process, end, ranFor: process.cpuTicks(at: now))
    } else {
      countChild(end)
    }
    releaseResources(process)
    RealTimers.processEnded(process)  // its interval timer dies with it
    process.end = end
    Scheduler.shared.table.recordEnd()
    ProcessFamily.ended(process)
    Scheduler.shared.exitCurrent()
  }

  /// A child's end is counted, not printed: a kernel line costs ~0.5 ms of serial output
  /// under TCG, half of a whole fork + exit + wait. A kill for a fault or by a signal of its
  /// own still prints its `killed` line (ProcessFaults, SignalCalls).
  static func countChild(_ end: ProcessEnd) {
    switch end {
    case .exited: Scheduler.shared.childrenExited += 1
    case .killed: Scheduler.shared.childrenKilled += 1
    }
  }

  /// The address space (commit audit first) and the descriptors.
  static func releaseResources(_ process: UserProcess) {
    let processor = Processor.current
    processor.activate(MemoryManager.kernelSpace!)
    process.giveUpAddressSpace()
    process.descriptors = DescriptorTable()
    UserMode.setFSBase(0)
  }
}
