import KernelSupport

/// Signal calls: `rt_sigaction`, `rt_sigprocmask`, `rt_sigpending`, and `kill` / `tkill` /
/// `tgkill` aimed at the process itself. The rules (dispositions, mask, pending set, default
/// actions) are the host-tested `SignalState` of LinuxABI, owned by the process; this file
/// checks arguments in Linux's order, copies structures in and out, and ends the process when
/// a signal's default action says so. No signal is delivered to a handler yet: a caught signal
/// is consumed without running it (Kernel/PROCESSES.md).
enum SignalCalls {
  /// `rt_sigaction(sig, act, oact, sigsetsize)`: the old action is read before the new one is
  /// set, and copied out after (a bad `oact` is EFAULT with the new action in force, as on
  /// Linux).
  static func rtSigaction(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 == SignalSet.byteCount else { throw .EINVAL }
    let new = call.a1 == 0 ? nil : try readAction(at: call.a1)
    let process = ProcessRunner.current!
    let old = try process.signals.changeAction(
      of: Int(Int32(truncatingIfNeeded: call.a0)), to: new)
    return try deliveringPending { () throws(LinuxErrno) -> UInt64 in
      if call.a2 != 0 { try UserMemory.copyOut(old.image, to: call.a2) }
      return 0
    }
  }

  /// `rt_sigprocmask(how, set, oldset, sigsetsize)`: unblocking a pending signal whose default
  /// action terminates ends the process, as Linux's return to user mode would.
  static func rtSigprocmask(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 == SignalSet.byteCount else { throw .EINVAL }
    let set = call.a1 == 0 ? nil : SignalSet(rawValue: try UserMemory.readWord(at: call.a1))
    let process = ProcessRunner.current!
    let old = try process.signals.changeMask(how: Int32(truncatingIfNeeded: call.a0), set: set)
    return try deliveringPending { () throws(LinuxErrno) -> UInt64 in
      if call.a2 != 0 {
        try UserMemory.copyOut(LinuxStructures.littleEndian(old.rawValue), to: call.a2)
      }
      return 0
    }
  }

  /// `rt_sigpending(set, sigsetsize)`: the blocked pending signals; a `sigsetsize` up to 8
  /// copies that many bytes (Linux's rule), larger is EINVAL.
  static func rtSigpending(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a1 <= SignalSet.byteCount else { throw .EINVAL }
    let set = ProcessRunner.current!.signals.reportedPending
    let bytes = LinuxStructures.littleEndian(set.rawValue)
    try UserMemory.copyOut(Array(bytes[0..<Int(call.a1)]), to: call.a0)
    return 0
  }

  /// `kill(pid, sig)`, `tkill(tid, sig)`, `tgkill(tgid, tid, sig)` (kernel/signal.c): the
  /// target is checked first (ESRCH for any process but this one, EINVAL for a non-positive
  /// id of tkill/tgkill), then the signal number (EINVAL outside 0...64); signal 0 only
  /// probes. The signal then takes its course (`SignalState.send`).
  static func kill(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    let number: UInt64
    switch call.number {
    case SystemCallNumber.kill:
      try checkKillTarget(Int32(truncatingIfNeeded: call.a0), of: process)
      number = call.a1
    case SystemCallNumber.tkill:
      try checkThread(Int32(truncatingIfNeeded: call.a0), group: nil, of: process)
      number = call.a1
    default:
      try checkThread(
        Int32(truncatingIfNeeded: call.a1), group: Int32(truncatingIfNeeded: call.a0),
        of: process)
      number = call.a2
    }
    let signalNumber = Int(Int32(truncatingIfNeeded: number))
    guard signalNumber != 0 else { return 0 }
    guard let signal = LinuxSignal(rawValue: signalNumber) else { throw .EINVAL }
    carryOut(process.signals.send(signal), sentByItself: true)
    return 0
  }

  /// `kill`'s pid: the process itself (its pid, 0 for its own process group, or minus its
  /// group's id, which is its pid); -1 ("every other process") and anything else find no one.
  static func checkKillTarget(_ pid: Int32, of process: UserProcess) throws(LinuxErrno) {
    let own = Int64(process.id)
    guard Int64(pid) == own || pid == 0 || Int64(pid) == -own else { throw .ESRCH }
  }

  /// `tkill`/`tgkill`'s ids: positive (else EINVAL), and the process's only thread.
  static func checkThread(_ tid: Int32, group: Int32?, of process: UserProcess)
    throws(LinuxErrno)
  {
    guard tid > 0, (group ?? 1) > 0 else { throw .EINVAL }
    let own = Int64(process.id)
    guard Int64(tid) == own, group.map({ Int64($0) == own }) ?? true else { throw .ESRCH }
  }

  /// Runs the rest of a call, then acts on the signals it made deliverable, whatever the call
  /// answered (Linux delivers on the way back to user mode, after an EFAULT too).
  static func deliveringPending(_ rest: () throws(LinuxErrno) -> UInt64) throws(LinuxErrno)
    -> UInt64
  {
    let answer: Result<UInt64, LinuxErrno>
    do throws(LinuxErrno) {
      answer = .success(try rest())
    } catch {
      answer = .failure(error)
    }
    carryOut(ProcessRunner.current!.signals.deliver(), sentByItself: false)
    return try answer.get()
  }

  /// Ends the process for `.terminates`, with one kernel line; returns for `.continues`.
  static func carryOut(_ outcome: SignalOutcome, sentByItself: Bool) {
    guard case .terminates(let signal) = outcome else { return }
    let process = ProcessRunner.current!
    ProcessConsole.line(
      process.label + " killed by "
        + (sentByItself ? "its own signal " : "its pending signal ") + String(signal.rawValue))
    ProcessExit.end(process, .killed(signal: UInt64(signal.rawValue)))
  }

  /// Reads a `struct sigaction` (four words) from user memory.
  static func readAction(at address: UInt64) throws(LinuxErrno) -> SignalAction {
    guard UserPointer.isValid(address, length: UInt64(SignalAction.byteCount)) else {
      throw .EFAULT
    }
    let wordSize: UInt64 = 8
    return SignalAction(
      words: (
        try UserMemory.readWord(at: address), try UserMemory.readWord(at: address + wordSize),
        try UserMemory.readWord(at: address + 2 * wordSize),
        try UserMemory.readWord(at: address + 3 * wordSize)
      ))
  }
}
