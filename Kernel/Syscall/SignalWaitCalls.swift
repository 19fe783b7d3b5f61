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

/// A process's part of the signal waits: where its pending signals came from (what
/// `rt_sigtimedwait` reports), and the set its thread waits for in `rt_sigtimedwait` with the
/// queue it waits on. One thread per process today; with threads (issue 10 §2) the waited-for
/// set and queue move to the thread.
struct SignalWaitState {
  var origins = SignalOrigins()
  /// What the thread waits for in `rt_sigtimedwait` (empty: it does not).
  var awaited = SignalSet.empty
  /// Where it waits; `SignalWaits.sent` wakes it.
  let arrivals = WaitQueue()
}

/// The signal waits' side of sending and taking signals.
enum SignalWaits {
  /// A signal was just sent to `target` (`ProcessFamily.send`: another process's `kill`, a
  /// child's SIGCHLD, the interval timer's SIGALRM) by the running process, if any: its
  /// origin is noted for `rt_sigtimedwait`, and a waiter for it there is woken.
  static func sent(_ signal: LinuxSignal, to target: UserProcess, toThread: Bool) {
    let threadPending = target.thread?.signals.pending ?? .empty
    guard target.signals.pending.union(threadPending).contains(signal) else { return }
    target.signalWaits.origins.record(
      signal, origin(of: signal, from: ProcessRunner.current, toThread: toThread))
    if target.signalWaits.awaited.contains(signal) { target.signalWaits.arrivals.wakeAll() }
  }

  /// Who sent `signal`: the kernel (no process: an interrupt's), a child that ended (SIGCHLD:
  /// CLD_EXITED or CLD_KILLED with its status), or `kill` / `tkill` from `sender`.
  static func origin(of signal: LinuxSignal, from sender: UserProcess?, toThread: Bool)
    -> SignalOrigin
  {
    guard let sender else { return SignalOrigin(code: SignalOrigin.SI_KERNEL, pid: 0) }
    let pid = UInt32(truncatingIfNeeded: sender.id)
    if signal == .SIGCHLD, let end = sender.end {
      switch end {
      case .exited(let code):
        return SignalOrigin(code: SignalOrigin.CLD_EXITED, pid: pid, status: Int32(code))
      case .killed(let number):
        return SignalOrigin(
          code: SignalOrigin.CLD_KILLED, pid: pid, status: Int32(truncatingIfNeeded: number))
      }
    }
    return SignalOrigin(code: toThread ? SignalOrigin.SI_TKILL : SignalOrigin.SI_USER, pid: pid)
  }

  /// Takes the pending signal of `set` Linux would take first (the thread's own, then the
  /// process's), with its `siginfo_t` image; a taken SIGALRM re-arms a periodic timer. A
  /// signal whose origin was not noted (sent by the process to itself) is `SI_USER` from it.
  static func take(from set: SignalSet, of process: UserProcess) -> (LinuxSignal, [UInt8])? {
    let thread = Processor.current.thread
    guard
      let signal = process.signals.takeNext(
        excluding: SignalSet(rawValue: ~set.rawValue), thread: &thread.signals)
    else { return nil }
    if signal == .SIGALRM { RealTimers.signalTaken(process) }
    let itself = SignalOrigin(
      code: SignalOrigin.SI_USER, pid: UInt32(truncatingIfNeeded: process.id))
    return (signal, process.signalWaits.origins.take(signal, fallback: itself).image(for: signal))
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
    let thread = Processor.current.thread
    let pending = ProcessRunner.current!.signals.pending.union(thread.signals.pending)
    return !pending.subtracting(thread.signals.blocked).isEmpty
  }
}
