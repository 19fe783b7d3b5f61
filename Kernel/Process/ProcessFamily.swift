/// Parents, children and signals between processes: what happens to the family when a
/// process ends, and a signal sent to another process (`kill`).
///
/// Signals to other processes take Linux's default actions, as `SignalState` does for a
/// process's own: ignored ones (SIGCHLD, SIGURG, SIGWINCH, SIGCONT, and any with `SIG_IGN`)
/// are dropped, blocked ones stay pending, a caught one runs its handler in the thread that
/// takes it (`recipient`, or the one `tkill` names), and one whose default action terminates (SIGKILL always) ends the target: its `pendingKill`
/// is set, any wait it is blocked in is interrupted, and it ends on its way back to ring 3.
enum ProcessFamily {
  /// The launch's first process: the reaper of orphans (pid 1 of the first launch).
  static func launchRoot(of process: UserProcess) -> UserProcess {
    var root = process
    while let parent = root.parent { root = parent }
    return root
  }

  /// `process` just became a zombie: its children go to the launch's first process, its
  /// parent is told, and if it was the launch's first process every other process is killed.
  static func ended(_ process: UserProcess) {
    let table = Scheduler.shared.table
    if process.parent == nil {
      for other in table.processes where other !== process && !other.isZombie {
        kill(other, signal: UInt64(LinuxSignal.SIGKILL.rawValue))
      }
    } else {
      reparentChildren(of: process)
    }
    if let parent = process.parent {
      _ = send(.SIGCHLD, to: parent, info: WaitCalls.childSignal(process))
      parent.childEvents.wakeAll()
    }
    WaitCalls.reapIfUnwaited(process)  // sigwait's: no zombie under SIG_IGN / SA_NOCLDWAIT
  }

  /// Moves `process`'s children to the launch's first process (Linux's reaper, init).
  static func reparentChildren(of process: UserProcess) {
    guard !process.children.isEmpty else { return }
    let reaper = launchRoot(of: process)
    for child in process.children {
      child.parent = reaper
      reaper.children.append(child)
    }
    process.children = []
    if reaper.children.contains(where: { $0.isZombie }) { reaper.childEvents.wakeAll() }
  }

  /// Sends `signal` to `target` (another process, or the caller itself through `kill(0)` or
  /// `kill(-1)` — then the caller handles a terminating outcome itself: returns it). `info`:
  /// what its handler is told when the kernel knows better than `kill`'s SI_USER from the
  /// running process (a child's SIGCHLD, an interval timer's SIGALRM). `thread` (with
  /// `toThread`: `tkill`/`tgkill`) is the one thread it is for: pending on that thread alone;
  /// otherwise it is pending on the process and `recipient` picks the thread to wake.
  static func send(
    _ signal: LinuxSignal, to target: UserProcess, thread chosen: KernelThread? = nil,
    toThread: Bool = false, info: SignalInfo? = nil
  ) -> SignalOutcome {
    guard !target.isZombie, let thread = chosen ?? recipient(of: signal, in: target) else {
      return .continues
    }
    let sender = ProcessRunner.current.map { UInt32(truncatingIfNeeded: $0.id) } ?? 0
    let outcome = target.signals.send(
      signal, info: info ?? .sent(signal, by: sender, toThread: toThread), to: &thread.signals,
      toThread: toThread)
    SignalWaits.sent(signal, to: target)  // sigwait's: wakes an rt_sigtimedwait waiting for it
    guard case .terminates(let fatal) = outcome else {
      // A caught signal it does not block interrupts its wait (the call answers a restart
      // code, converted when the handler is entered).
      if target.signals.isDeliverable(to: thread.signals) {
        Scheduler.shared.requestAttention(thread)
        if thread !== Processor.current.thread { Scheduler.shared.wake(thread, .interrupted) }
      }
      return .continues
    }
    if target === ProcessRunner.current { return outcome }
    kill(target, signal: UInt64(fatal.rawValue))
    return .continues
  }

  /// The thread a process-directed signal wakes (Linux's `complete_signal`): the first thread
  /// (the group leader, Linux's first choice) unless it blocks the signal, else the first
  /// other thread that does not; if every thread blocks it, the first (it stays pending on
  /// the process, taken by whichever thread unblocks it first).
  static func recipient(of signal: LinuxSignal, in target: UserProcess) -> KernelThread? {
    guard let leader = target.thread else { return nil }
    if !leader.signals.blocked.contains(signal) { return leader }
    return target.threads.first { !$0.signals.blocked.contains(signal) } ?? leader
  }

  /// Marks `target` to end as killed by `signal`; interrupts its wait.
  static func kill(_ target: UserProcess, signal: UInt64) {
    guard target.pendingKill == nil, !target.isZombie else { return }
    target.pendingKill = signal
    for thread in target.threads {
      Scheduler.shared.requestAttention(thread)
      Scheduler.shared.wake(thread, .interrupted)
    }
  }

  /// Drops every zombie left (the end of a launch: no parent will reap them) and breaks the
  /// parent/child references.
  static func reapAll() {
    let scheduler = Scheduler.shared
    for process in scheduler.table.processes {
      process.children = []
      process.parent = nil
      process.thread = nil
    }
    while let process = scheduler.table.processes.first { scheduler.table.remove(process) }
  }
}
