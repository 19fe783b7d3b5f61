import KernelSupport

/// The end of one thread of a process (`exit` while others live; or killed because its group
/// is ending): what only it holds goes back, and it is switched away from for good — its kernel
/// stack is freed by the next thread to run (`Scheduler.finishSwitch`). The process, its
/// memory and its descriptors stay with the threads left; the last one to end ends the process
/// (`ProcessExit.end`).
enum ThreadExit {
  /// `exit(status)`: this thread only, unless it is the last (then the process ends with the
  /// status — or with the first thread's, if that one ended first with `exit`, as Linux's
  /// `wait4` reports the group leader's code).
  static func exit(status: UInt8) -> Never {
    let thread = Scheduler.shared.current
    let process = thread.process!
    if process.threads.count > 1 {
      if thread.user.tid == process.id { process.leaderExit = .exited(status) }
      endCurrent()
    }
    ProcessExit.end(process, process.leaderExit ?? .exited(status))
  }

  /// Ends the running thread, which is not its process's last.
  static func endCurrent() -> Never {
    let scheduler = Scheduler.shared
    let thread = scheduler.current
    let process = thread.process!
    releaseUserState(thread)
    clearChildTID(of: thread)
    process.ticksOfEndedThreads &+= thread.cpuTicks(at: timestamp_counter_read())
    if let index = process.threads.firstIndex(where: { $0 === thread }) {
      process.threads.remove(at: index)
    }
    process.threadEnded.wakeAll()
    scheduler.exitCurrent()
  }

  /// On the way back to ring 3 (`Scheduler.attendBeforeUser`): a thread another one's `execve`
  /// asked to end ends here.
  static func endIfAsked(_ thread: KernelThread) {
    if thread.user.mustExit { endCurrent() }
  }

  /// What every thread's end does, the last one's too (Linux's `futex_exit_release`): the
  /// robust list walked, and the thread leaves the tid table.
  static func releaseUserState(_ thread: KernelThread) {
    RobustList.release(thread)
    Scheduler.shared.threads.remove(thread.user.tid)
  }

  /// `CLONE_CHILD_CLEARTID` / `set_tid_address`: 0 is written to the registered word and one
  /// waiter of its futex woken (`pthread_join`). Only while the memory is still someone's —
  /// Linux's `mm_users > 1` — so not for a process's last thread. A bad address is ignored.
  static func clearChildTID(of thread: KernelThread) {
    let address = thread.user.clearChildTID
    guard address != 0 else { return }
    thread.user.clearChildTID = 0
    guard (try? FutexKeys.write(0, to: address)) != nil,
      let key = try? FutexKeys.key(for: address, isPrivate: false)
    else { return }
    FutexCalls.wake(key, upTo: 1, bitset: FutexOperation.FUTEX_BITSET_MATCH_ANY)
  }
}

/// The threads of one process as a group.
enum ThreadGroup {
  /// `execve` in a process with several threads (Linux's `de_thread`): every other thread is
  /// asked to end (its wait interrupted, its attention asked: it ends on its way back to ring
  /// 3) and the caller waits until it is the only one; it then takes the process's id as its
  /// tid, as the new program's only thread. EINTR if the process is killed meanwhile (it ends
  /// on its way out).
  static func endOthersForExec(_ process: UserProcess) throws(LinuxErrno) {
    guard process.threads.count > 1 else { return }
    let scheduler = Scheduler.shared
    let survivor = scheduler.current
    for thread in process.threads where thread !== survivor {
      thread.user.mustExit = true
      scheduler.requestAttention(thread)
      scheduler.wake(thread, .interrupted)
    }
    while process.threads.count > 1 {
      if process.threadEnded.wait() == .interrupted { throw .EINTR }
    }
    guard survivor.user.tid != process.id else { return }
    scheduler.threads.remove(survivor.user.tid)
    survivor.user.tid = process.id
    scheduler.threads.add(survivor)
  }

  /// The group is ending (`exit_group`, a fatal signal, a fault): every thread but the running
  /// one is killed — SIGKILL's course, the process's `pendingKill` (each blocked one's wait is
  /// interrupted; each ends on its way back to ring 3, `Scheduler.returningToUser`).
  static func stopOthers(of process: UserProcess) {
    guard process.threads.count > 1 else { return }
    if process.pendingKill == nil {
      process.pendingKill = UInt64(LinuxSignal.SIGKILL.rawValue)
    }
    let running = Scheduler.shared.current
    for thread in process.threads where thread !== running {
      Scheduler.shared.requestAttention(thread)
      Scheduler.shared.wake(thread, .interrupted)
    }
  }
}
