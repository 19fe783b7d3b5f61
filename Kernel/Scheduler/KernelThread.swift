import KernelSupport

/// A kernel thread: what the scheduler switches between. A user process has one per user
/// thread (`UserProcess.threads`: `clone(CLONE_THREAD)` adds one, all sharing the process);
/// each CPU also has an idle thread, the boot stack's context, that runs when nothing else can.
///
/// A thread's kernel context is its stack and its saved stack pointer: while it is not running,
/// its callee-saved registers sit on its stack below that pointer (thread_switch,
/// process_entry.S). Its user context is the trap frame at the top of its stack (while it is
/// in the kernel), its FXSAVE area (saved at every switch away) and `user` (its tid, FS and GS
/// bases, clear-child-tid and robust-list addresses: Kernel/Thread/UserThreadState.swift).
final class KernelThread {
  /// Where a thread is in its life.
  enum State {
    /// In the run queue.
    case runnable
    /// On the CPU.
    case running
    /// In a `WaitQueue` (and maybe the timer's queue).
    case blocked
    /// Finished: it never runs again; its stack is freed after the switch away from it.
    case dead
  }

  /// The process it runs, nil for the idle thread.
  let process: UserProcess?
  /// Its kernel stack, nil for the idle thread (which runs on the boot stack).
  let stack: KernelStack?
  /// Where thread_switch keeps its stack pointer while it is not running (a heap word, so
  /// its address is stable: thread_switch writes it through a pointer).
  let savedStackPointerSlot = UnsafeMutablePointer<UInt64>.allocate(capacity: 1)
  var state = State.runnable
  /// Why its last wait ended (set by whoever made it runnable).
  var wakeReason = WakeReason.woken
  /// The queue it is blocked in, if any (the waker removes it).
  var blockedOn: WaitQueue? = nil
  /// Its place in the run queue or the wait queue it is in (`ThreadQueue`).
  var queueLinks = ThreadQueue.Links()
  /// Whether it is also in the timer's queue.
  var timedWait = false
  /// Something waits for it on its way back to ring 3 (`Scheduler.requestAttention`).
  var needsAttention = false
  /// TSC ticks it has run, and when it was last switched in.
  var ticksOnCPU: UInt64 = 0
  var switchedInAt: UInt64 = 0
  /// Its own user-mode state: tid, TLS bases, clear_child_tid, robust list.
  var user = UserThreadState()
  /// Its mask, own pending signals and alternate stack (the dispositions are the process's).
  var signals = ThreadSignalState()
  /// Its futex wait, when it waits on one (Kernel/Futex).
  var futex = FutexWaitState()
  var restartBlock = RestartBlock.none  // what restart_syscall resumes (Kernel/Timer)

  /// The idle thread of a CPU: the context that is running now (the boot stack).
  init(idle: ()) {
    process = nil
    stack = nil
    state = .running
    savedStackPointerSlot.initialize(to: 0)
  }

  /// The FPU/SSE state a new thread starts with.
  enum FPUStart {
    /// The power-on state (a new program).
    case initial
    /// The running user thread's (a forked child: the kernel never touches the FPU, so the
    /// registers still hold its user state).
    case copyOfCurrent
  }

  /// A user thread that will first run `frame` in ring 3 (through thread_entry_trampoline).
  init(
    process: UserProcess, stack: KernelStack, frame: TrapFrame, fpu: FPUStart,
    user: UserThreadState
  ) {
    self.process = process
    self.stack = stack
    self.user = user
    switch fpu {
    case .initial: user_fpu_state_initial(stack.fpuArea)
    case .copyOfCurrent: user_fpu_state_save(stack.fpuArea)
    }
    savedStackPointerSlot.initialize(to: Self.buildInitialStack(stack, frame))
  }

  deinit { savedStackPointerSlot.deallocate() }

  /// The callee-saved registers thread_switch pops (six, zero), the trampoline as its return
  /// address, and the trap frame at the top: the stack pointer of a thread that never ran.
  static func buildInitialStack(_ stack: KernelStack, _ frame: TrapFrame) -> UInt64 {
    let frameAddress = stack.top - UInt64(MemoryLayout<TrapFrame>.stride)
    UnsafeMutablePointer<TrapFrame>(bitPattern: UInt(frameAddress))!.pointee = frame
    let calleeSaved: UInt64 = 6
    let returnAddress = frameAddress - 8
    UnsafeMutablePointer<UInt64>(bitPattern: UInt(returnAddress))!.pointee =
      thread_entry_trampoline_address()
    let start = returnAddress - calleeSaved * 8
    for index in 0..<calleeSaved {
      UnsafeMutablePointer<UInt64>(bitPattern: UInt(start + index * 8))!.pointee = 0
    }
    return start
  }

  /// The trap frame at the top of the stack: where a thread in the kernel came from in ring 3
  /// (every entry from ring 3 builds its frame there).
  var userFrame: UnsafeMutablePointer<TrapFrame> {
    UnsafeMutablePointer<TrapFrame>(
      bitPattern: UInt(stack!.top - UInt64(MemoryLayout<TrapFrame>.stride)))!
  }

  /// TSC ticks run so far, counting the current stretch if it is running.
  func cpuTicks(at now: UInt64) -> UInt64 {
    state == .running ? ticksOnCPU &+ (now &- switchedInAt) : ticksOnCPU
  }
}
