/// The calls that wait for a signal: `rt_sigtimedwait` (take one of a set without running a
/// handler), `pause` and `rt_sigsuspend` (wait until a handler has run).
///
/// `rt_sigtimedwait` waits with the set still blocked (it normally is: a program blocks what it
/// waits for, or the signal's default action would act first). Linux unblocks the set for the
/// wait and keeps the old mask as `real_blocked`, which its fatal-signal shortcut respects;
/// here the mask stays and the sending path wakes the waiter instead (`SignalWaits.sent`), so
/// a waited-for SIGALRM with its default action is taken, never fatal. A signal outside the
/// set that becomes deliverable interrupts the wait (EINTR; its handler then runs).
enum SignalWaitCalls {
  /// `rt_sigtimedwait(set, info, timeout, sigsetsize)` (kernel/signal.c `do_sigtimedwait`):
  /// sigsetsize first (EINVAL), the set and the timeout read (EFAULT, EINVAL for a bad
  /// timespec), then a pending signal of the set is taken at once, or the thread waits for one
  /// until the timeout (EAGAIN; a zero timeout does not wait; none waits forever); the taken
  /// signal's `siginfo_t` goes to `info` when given (EFAULT if it cannot: the signal is taken).
  static func rtSigtimedwait(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 == SignalSet.byteCount else { throw .EINVAL }
    let set = SignalSet(rawValue: try UserMemory.readWord(at: call.a0)).subtracting(.kernelOnly)
    let timeout = try PollCalls.timespec(at: call.a2)
    let deadline = PollCalls.deadline(after: timeout)
    let process = ProcessRunner.current!
    var reason = WakeReason.woken
    while true {
      if let (signal, info) = SignalWaits.take(from: set, of: process) {
        if call.a1 != 0 { try UserMemory.copyOut(info, to: call.a1) }
        return UInt64(signal.rawValue)
      }
      if reason == .interrupted { throw .EINTR }  // another signal's handler runs (or a kill)
      if reason == .timedOut || MonotonicClock.nanoseconds() >= deadline { throw .EAGAIN }
      process.signalWaits.awaited = set
      reason = process.signalWaits.arrivals.wait(until: deadline)
      process.signalWaits.awaited = .empty
    }
  }

  /// `pause()`: waits until a signal is delivered to a handler (`ERESTARTNOHAND`: EINTR once
  /// the handler ran; a signal with no handler that still woke it restarts it).
  static func pause(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    throw SignalWaits.untilDeliverable()
  }

  /// `rt_sigsuspend(mask, sigsetsize)`: the mask is replaced until a signal is delivered; the
  /// old one is kept as `maskAfterSuspend`, which delivery puts back after the handler (the
  /// handler itself runs with the suspend mask plus its own), or at once when no handler runs
  /// (then the call restarts). Answers `ERESTARTNOHAND` (EINTR after the handler).
  static func rtSigsuspend(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a1 == SignalSet.byteCount else { throw .EINVAL }
    let mask = SignalSet(rawValue: try UserMemory.readWord(at: call.a0))
    let thread = Processor.current.thread
    thread.signals.maskAfterSuspend = thread.signals.blocked
    thread.signals.setMask(mask)
    throw SignalWaits.untilDeliverable()
  }
}

/// A process's part of the signal waits: the set its thread waits for in `rt_sigtimedwait`
/// and the queue it waits on. One thread per process today; with threads (issue 10 §2) they
/// move to the thread.
struct SignalWaitState {
  /// What the thread waits for in `rt_sigtimedwait` (empty: it does not).
  var awaited = SignalSet.empty
  /// Where it waits; `SignalWaits.sent` wakes it.
  let arrivals = WaitQueue()
}

/// The signal waits' side of sending and taking signals.
enum SignalWaits {
  /// A signal was just sent to `target` (`ProcessFamily.send`: another process's `kill`, a
  /// child's SIGCHLD, the interval timer's SIGALRM): a thread waiting for it in
  /// `rt_sigtimedwait` is woken (its set stays blocked, so delivery's wake-up does not).
  static func sent(_ signal: LinuxSignal, to target: UserProcess) {
    if target.signalWaits.awaited.contains(signal) { target.signalWaits.arrivals.wakeAll() }
  }

  /// Takes the pending signal of `set` Linux would take first (the thread's own, then the
  /// process's), with its `siginfo_t` image (what it was sent with); a taken SIGALRM re-arms a
  /// periodic timer.
  static func take(from set: SignalSet, of process: UserProcess) -> (LinuxSignal, [UInt8])? {
    let thread = Processor.current.thread
    guard
      let info = process.signals.takeNextInfo(
        excluding: SignalSet(rawValue: ~set.rawValue), thread: &thread.signals)
    else { return nil }
    if info.signal == .SIGALRM { RealTimers.signalTaken(process) }
    return (info.signal, info.image)
  }

  /// Waits until a signal the thread does not block is pending (delivery, on the way back to
  /// user mode, then runs its handler), or the process is killed; answers what `pause` and
  /// `rt_sigsuspend` return.
  static func untilDeliverable() -> LinuxErrno {
    let nobody = WaitQueue()  // only a signal (or a kill) interrupts this wait
    while !hasDeliverable() {
      if nobody.wait() == .interrupted { break }
    }
    return Interruption.answer(restarting: .ERESTARTNOHAND)
  }

  /// Whether a pending signal (the process's or the thread's) is not blocked by the mask.
  static func hasDeliverable() -> Bool {
    ProcessRunner.current!.signals.isDeliverable(to: Processor.current.thread.signals)
  }
}
