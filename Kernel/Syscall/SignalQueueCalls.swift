import KernelSupport

/// `rt_sigqueueinfo(tgid, sig, info)` and `rt_tgsigqueueinfo(tgid, tid, sig, info)`
/// (kernel/signal.c): `kill` and `tgkill` with the caller's own `siginfo_t`
/// (`QueuedSignalInfo`), in Linux's order — the info is read first (EFAULT, E2BIG), then the
/// ids (EINVAL for a non-positive one of rt_tgsigqueueinfo), the EPERM rule (a si_code ≥ 0 or
/// SI_TKILL only to oneself), the target (ESRCH), the signal number (EINVAL outside 0...64;
/// 0 only probes). The signal then takes its course as `kill`'s does.
enum SignalQueueCalls {
  static func rtSigqueueinfo(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let pid = Int32(truncatingIfNeeded: call.a0)
    let number = Int(Int32(truncatingIfNeeded: call.a1))
    let queued = try read(call.a2, signalNumber: number)
    guard queued.maySend(from: callerThreadID, to: Int64(pid)) else { throw .EPERM }
    guard pid > 0, let target = Scheduler.shared.table.find(UInt64(pid)) else { throw .ESRCH }
    guard let signal = try checkedSignal(number) else { return 0 }
    let outcome = ProcessFamily.send(signal, to: target, info: queued.info(signal))
    if target === ProcessRunner.current { SignalCalls.carryOut(outcome, sentByItself: true) }
    return 0
  }

  static func rtTgsigqueueinfo(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let group = Int32(truncatingIfNeeded: call.a0)
    let tid = Int32(truncatingIfNeeded: call.a1)
    let number = Int(Int32(truncatingIfNeeded: call.a2))
    let queued = try read(call.a3, signalNumber: number)
    guard tid > 0, group > 0 else { throw .EINVAL }
    guard queued.maySend(from: callerThreadID, to: Int64(tid)) else { throw .EPERM }
    let directed = try SignalCalls.thread(tid, group: group)
    guard let signal = try checkedSignal(number), let target = directed.process else { return 0 }
    SignalCalls.carryOut(
      ProcessFamily.send(
        signal, to: target, thread: directed, toThread: true, info: queued.info(signal)),
      sentByItself: true)
    return 0
  }

  /// The caller's `siginfo_t` (all 128 bytes: the E2BIG rule looks past the kept 48).
  static func read(_ address: UInt64, signalNumber: Int) throws(LinuxErrno) -> QueuedSignalInfo {
    let bytes = try SignalReturn.readBytes(at: address, count: SignalInfo.byteCount)
    return try QueuedSignalInfo(decoding: bytes, signalNumber: signalNumber)
  }

  /// The signal `number` names; nil for 0 (the probe); EINVAL outside 0...64.
  static func checkedSignal(_ number: Int) throws(LinuxErrno) -> LinuxSignal? {
    guard number != 0 else { return nil }
    guard let signal = LinuxSignal(rawValue: number) else { throw .EINVAL }
    return signal
  }

  /// The calling thread's id (Linux's `task_pid_vnr(current)`).
  static var callerThreadID: Int64 { Int64(Processor.current.thread.user.tid) }
}
