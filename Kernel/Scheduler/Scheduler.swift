import KernelSupport

/// The scheduler: a round-robin run queue of kernel threads, switching, blocking, preemption
/// and the idle loop.
///
/// - A thread runs until it blocks (`block`, through a `WaitQueue`), exits, or its time slice
///   — one timer tick, `EventTimer.tickNanoseconds` — ends while another thread is runnable:
///   the tick sets `preemptionPending` and asks for the running thread's attention, and the
///   thread yields on its way back to ring 3 (`returningToUser`, called at the end of every
///   system call and of every trap or interrupt from ring 3). The kernel is not preemptible:
///   it runs with interrupts off, so a thread is only ever switched away from at those points
///   or when it blocks. In particular a process is never preempted in the middle of its own
///   page fault: the page trap runs with IF = 0 from entry to IRETQ, and a tick that falls
///   meanwhile is taken back in ring 3.
/// - When no thread is runnable the CPU runs its idle thread (the boot stack's context, in
///   `runIdle`), which halts with `sti; hlt` until an interrupt makes a thread runnable; no
///   tick is programmed meanwhile, only the earliest timed waiter's deadline (tickless idle).
/// - A switch (`switchTo`) saves the FPU/SSE state of a user thread (FXSAVE64 into its area),
///   loads the next thread's address space (CR3), kernel stack top (TSS.RSP0 and the SYSCALL
///   entry's per-CPU word), FPU state and FS base, then `thread_switch`es stacks.
/// - A thread that ends (`exitCurrent`) is put on `deadThreads` and switched away from for
///   good; the thread that runs next frees its stack (nothing runs on it any more).
///
/// LOCK: the scheduler lock guards the run queue, the dead list, `preemptionPending`, every
/// `WaitQueue`, the process table (`ProcessTable`) and the kernel stack area. One CPU with
/// interrupts off in the kernel: holding it means running in the kernel. A second CPU takes it
/// (a spinlock, interrupts masked, since the timer interrupt wakes threads) around each of
/// those structures; the run queue would then be per CPU with stealing.
final class Scheduler {
  /// The one scheduler (per machine: the run queue is shared; per-CPU state is `Processor`'s).
  nonisolated(unsafe) static let shared = Scheduler()

  /// The most processes (live and zombie) and thus threads and kernel stacks at once: fork
  /// answers EAGAIN beyond it (Linux's `RLIMIT_NPROC` / `pid_max` refusal).
  static let processLimit = 512

  /// The runnable threads, in the order they became runnable (linked through the threads).
  var runQueue = ThreadQueue()
  var deadThreads: [KernelThread] = []
  /// A tick ended while another thread was runnable: the running one yields on its way out.
  /// Cleared at every switch (the thread switched to starts a fresh tick, `EventTimer.switched`).
  var preemptionPending = false
  var stacks = KernelStackArea()
  var table = ProcessTable()
  /// Every live user thread by tid (Kernel/Thread/ThreadTable.swift).
  var threads = ThreadTable()
  /// The futexes waited on (Kernel/Futex; LOCK: the futex table lock): one wait per thread.
  var futexes = FutexTable<KernelThread>(limit: Scheduler.processLimit)
  /// Context switches so far (the run's last line reports them).
  var switches: UInt64 = 0
  /// Processes other than a launch's first that exited or were killed in this launch (their
  /// ends print no line of their own: `ProcessRunner` prints the counts at the launch's end).
  var childrenExited: UInt64 = 0
  var childrenKilled: UInt64 = 0
  /// The most frames one fork of this launch made shared copy-on-write (the child's resident
  /// frames when it was created).
  var largestForkShare: UInt64 = 0

  /// The thread running on this CPU.
  var current: KernelThread { Processor.current.thread }

  /// Adds `thread` to the end of the run queue.
  func makeRunnable(_ thread: KernelThread) {
    thread.state = .runnable
    runQueue.append(thread)
  }

  /// Makes a blocked thread runnable with `reason`; nothing for a thread not blocked.
  func wake(_ thread: KernelThread, _ reason: WakeReason) {
    guard thread.state == .blocked else { return }
    thread.wakeReason = reason
    thread.blockedOn.take()?.remove(thread)  // moved out: no retain of the queue around it
    if thread.timedWait {
      EventTimer.local?.cancel(thread)
      thread.timedWait = false
    }
    makeRunnable(thread)
  }

  /// `WaitQueue.wait`: blocks the running thread in `queue` until woken, `deadline`, or an
  /// interruption (its process is being killed).
  func block(on queue: WaitQueue, until deadline: UInt64) -> WakeReason {
    Processor.borrowingCurrentThread { _, thread in block(thread, on: queue, until: deadline) }
  }

  /// `block` of the running `thread`, borrowed (it is alive while it waits).
  @inline(__always)
  private func block(_ thread: KernelThread, on queue: WaitQueue, until deadline: UInt64)
    -> WakeReason
  {
    precondition(thread.process != nil, "the idle thread cannot block")
    if thread.process!.pendingKill != nil { return .interrupted }
    if deadline != .max && MonotonicClock.nanoseconds() >= deadline { return .timedOut }
    guard deadline == .max || EventTimer.local != nil else {
      // No timer interrupt to wake a halt: poll the clock (QEMU always has an APIC).
      while MonotonicClock.nanoseconds() < deadline {}
      return .timedOut
    }
    thread.wakeReason = .woken
    queue.waiters.append(thread)
    thread.blockedOn = queue
    thread.state = .blocked
    if deadline != .max {
      thread.timedWait = true
      EventTimer.local!.enqueue(thread, until: deadline)
    }
    switchAway()
    return thread.wakeReason
  }

  /// Lets the next runnable thread run (the running one goes to the end of the queue).
  func yield() {
    preemptionPending = false
    guard !runQueue.isEmpty else { return }
    makeRunnable(current)
    switchAway()
  }

  /// Ends the running thread: it is never switched back to.
  func exitCurrent() -> Never {
    let thread = current
    thread.state = .dead
    deadThreads.append(thread)
    switchAway()
    Panic.halt("a dead thread was switched back to")
  }

  /// Runs the first runnable thread, or the idle thread when none is.
  func switchAway() {
    switchTo(runQueue.removeFirst() ?? Processor.current.idleThread)
  }

  /// Switches this CPU from the running thread to `next`.
  func switchTo(_ next: KernelThread) {
    Processor.borrowingCurrentThread { processor, previous in
      switchTo(next, from: previous, on: processor)
    }
  }

  /// `switchTo` with the processor and the running thread borrowed (no retain/release pair
  /// of each around the switch; `Processor+Borrowing.swift`).
  @inline(__always)
  private func switchTo(_ next: KernelThread, from previous: KernelThread, on processor: Processor)
  {
    guard next !== previous else {
      previous.state = .running
      return
    }
    let now = timestamp_counter_read()
    previous.ticksOnCPU &+= now &- previous.switchedInAt
    if let stack = previous.stack { user_fpu_state_save(stack.fpuArea) }
    if let process = next.process, let stack = next.stack {
      if let space = process.addressSpace, space !== processor.space { processor.activate(space) }
      GlobalDescriptorTable.setKernelStack(stack.top)
      processor_entry_set_kernel_stack(stack.top)
      user_fpu_state_restore(stack.fpuArea)
      UserMode.setFSBase(next.user.fsBase)
      model_specific_register_write(ProcessCalls.gsBaseRegister, next.user.gsBase)
    }
    processor.thread = next
    processor.process = next.process
    preemptionPending = false
    next.state = .running
    next.switchedInAt = now
    switches += 1
    if let timer = EventTimer.local.map(Unmanaged.passUnretained) {  // never freed: borrowed
      timer._withUnsafeGuaranteedRef { $0.switched(toIdle: next.process == nil, atCounter: now) }
    }
    thread_switch(previous.savedStackPointerSlot, next.savedStackPointerSlot.pointee)
    finishSwitch()
  }

  /// Runs on the thread switched to, right after the switch: frees the stacks of the threads
  /// that ended (none of them is running now).
  func finishSwitch() {
    while let dead = deadThreads.popLast() {
      if let stack = dead.stack { stacks.free(stack) }
    }
  }

  /// The tick ended for the running thread: if another is runnable, it will yield on its way
  /// back to ring 3.
  func tickEnded() {
    guard !runQueue.isEmpty else { return }
    preemptionPending = true
    requestAttention(current)
  }

  /// Makes `thread` take `attendBeforeUser` on its next way back to ring 3. Whoever makes
  /// something due there calls it: a kill made pending (`ProcessFamily.kill`), a preemption
  /// (`tickEnded`), a signal made deliverable to the thread (its sender, or the thread's own
  /// mask change that unblocks a pending one). The fast path looks at nothing but this flag:
  /// something made due without it is not acted on until the thread's next slow path.
  func requestAttention(_ thread: KernelThread) { thread.needsAttention = true }

  /// On the way back to ring 3 (end of a system call, of a trap or interrupt from ring 3, of a
  /// new thread's trampoline). It runs after every page fault, so the common case is a test of
  /// the running thread's `needsAttention` and nothing else; anything due is behind it
  /// (`attendBeforeUser`). Static, so the fast path does not even touch `shared` (a lazy
  /// global: a `swift_once` call per access), and inlined, so no reference is retained.
  /// Kernel-mode traps (CS & 3 == 0, the idle thread's interrupts) never come here: their
  /// callers test the frame's CS first.
  @inline(__always)
  static func returningToUser() {
    if Processor.current.thread.needsAttention { shared.attendBeforeUser() }
  }

  /// The slow path of `returningToUser`, in order: a process being killed ends here; a thread
  /// whose tick ended yields (and may have been killed meanwhile); then the signals due are
  /// delivered — `SignalDelivery.deliverPending(thread)` goes at the end, after the yield, so
  /// a signal sent while the thread waited in the run queue is delivered now. The flag is
  /// cleared first: anything made due while this runs asks again and is seen next time.
  @inline(never)
  func attendBeforeUser() {
    let thread = current
    thread.needsAttention = false
    guard let process = thread.process else { return }
    if let signal = process.pendingKill { ProcessExit.end(process, .killed(signal: signal)) }
    ThreadExit.endIfAsked(thread)
    if preemptionPending {
      yield()
      if let signal = process.pendingKill { ProcessExit.end(process, .killed(signal: signal)) }
      ThreadExit.endIfAsked(thread)
    }
    if SignalDelivery.hasWork(thread) { SignalDelivery.deliverPending(thread) }
  }

  /// The idle thread's loop: runs threads while `keepGoing` says so, halting when none is
  /// runnable. Returns on the idle thread.
  func runIdle(while keepGoing: () -> Bool) {
    var reportedDeadlock = false
    while keepGoing() {
      if let next = runQueue.removeFirst() {
        switchTo(next)
        continue
      }
      if !reportedDeadlock, EventTimer.local?.waits.isEmpty ?? true, !ConsoleTerminal.mayWake {
        reportedDeadlock = true
        reportDeadlock()
      }
      EventTimer.local?.statistics.halts += 1
      interrupts_enable_and_halt()
      interrupts_disable()
    }
    finishSwitch()
    stacks.drainCache()
  }
}

extension Scheduler {
  /// Nothing is runnable and no thread waits with a deadline, yet processes live: each waits
  /// for another (a pipe, a child), and only a timer or another process could wake one (the
  /// kernel has no other interrupt source). They wait for ever, as on Linux; one line says so
  /// (tools/run-elf's timeout ends the run).
  func reportDeadlock() {
    let blocked = table.processes.filter { !$0.isZombie }.count
    ProcessConsole.line(
      "all " + String(blocked) + " live processes are blocked with nothing to wake them")
  }
}

/// A new thread's first step (from thread_entry_trampoline, on its own stack): the switch's
/// end, then the checks of any return to ring 3 (it may have been killed before it ran).
@_cdecl("scheduler_thread_started")
func schedulerThreadStarted(_ frame: UnsafeMutablePointer<TrapFrame>) {
  Scheduler.shared.finishSwitch()
  Scheduler.returningToUser()
}
