import KernelSupport

/// Signal calls: `rt_sigaction`, `rt_sigprocmask`, `rt_sigpending`, and `kill` / `tkill` /
/// `tgkill` aimed at any process, its group or every other one. The rules (dispositions, mask, pending set, default
/// actions) are the host-tested `SignalState` of LinuxABI, owned by the process; this file
/// checks arguments in Linux's order, copies structures in and out, and ends the process when
/// a signal's default action says so. `kill` makes a signal pending on the process, `tkill` and
/// `tgkill` on the one thread they name (Kernel/PROCESSES.md).
enum SignalCalls {
  /// `rt_sigaction(sig, act, oact, sigsetsize)`: the old action is read before the new one is
  /// set, and copied out after (a bad `oact` is EFAULT with the new action in force, as on
  /// Linux).
  static func rtSigaction(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a3 == SignalSet.byteCount else { throw .EINVAL }
    let new = call.a1 == 0 ? nil : try readAction(at: call.a1)
    let process = ProcessRunner.current!
    let number = Int(Int32(truncatingIfNeeded: call.a0))
    let old = try process.signals.changeAction(of: number, to: new)
    // Made ignored: the pending instance goes from every thread too.
    if new != nil, let signal = LinuxSignal(rawValue: number),
      process.signals.action(for: signal).ignores(signal)
    {
      for thread in process.threads { thread.signals.discard(signal) }
    }
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
    let old = try Processor.current.thread.signals.changeMask(
      how: Int32(truncatingIfNeeded: call.a0), set: set)
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
    let set = ProcessRunner.current!.signals.reportedPending(Processor.current.thread.signals)
    let bytes = LinuxStructures.littleEndian(set.rawValue)
    try UserMemory.copyOut(Array(bytes[0..<Int(call.a1)]), to: call.a0)
    return 0
  }

  /// `kill(pid, sig)`, `tkill(tid, sig)`, `tgkill(tgid, tid, sig)` (kernel/signal.c): the
  /// targets are found first (ESRCH when there is none, EINVAL for a non-positive id of
  /// tkill/tgkill), then the signal number is checked (EINVAL outside 0...64); signal 0 only
  /// probes. Each target's signal then takes its course (`ProcessFamily.send`: Linux's
  /// default actions, SIG_IGN and masks respected); the caller's own, if it is a target, last.
  static func kill(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    let number: UInt64
    var targets = [UserProcess]()
    var directed: KernelThread? = nil
    switch call.number {
    case SystemCallNumber.kill:
      targets = try killTargets(Int32(truncatingIfNeeded: call.a0), of: process)
      number = call.a1
    case SystemCallNumber.tkill:
      directed = try thread(Int32(truncatingIfNeeded: call.a0), group: nil)
      number = call.a1
    default:
      directed = try thread(
        Int32(truncatingIfNeeded: call.a1), group: Int32(truncatingIfNeeded: call.a0))
      number = call.a2
    }
    let signalNumber = Int(Int32(truncatingIfNeeded: number))
    guard signalNumber != 0 else { return 0 }
    guard let signal = LinuxSignal(rawValue: signalNumber) else { throw .EINVAL }
    if let directed, let target = directed.process {
      // Pending on that thread alone, whichever process it is in (Linux's PIDTYPE_PID send).
      carryOut(
        ProcessFamily.send(signal, to: target, thread: directed, toThread: true),
        sentByItself: true)
      return 0
    }
    for target in targets where target !== process {
      _ = ProcessFamily.send(signal, to: target)
    }
    if targets.contains(where: { $0 === process }) {
      carryOut(ProcessFamily.send(signal, to: process), sentByItself: true)
    }
    return 0
  }

  /// `kill`'s pid: > 0 that process (a zombie too: it exists until reaped), 0 the caller's
  /// process group, -1 every process but the caller (Linux also spares init, which no program
  /// here is: the first process plays the program tools/run-linux's init starts), < -1 the
  /// group -pid. ESRCH when that names no one.
  static func killTargets(_ pid: Int32, of process: UserProcess) throws(LinuxErrno)
    -> [UserProcess]
  {
    let table = Scheduler.shared.table
    let targets: [UserProcess]
    switch pid {
    case 1...:
      targets = table.find(UInt64(pid)).map { [$0] } ?? []
    case 0:
      targets = table.processes.filter { $0.groupID == process.groupID }
    case -1:
      targets = table.processes.filter { $0 !== process }
    default:
      guard pid != Int32.min else { throw .ESRCH }
      let group = UInt64(-Int64(pid))
      targets = table.processes.filter { $0.groupID == group }
    }
    guard !targets.isEmpty else { throw .ESRCH }
    return targets
  }

  /// `tkill`/`tgkill`'s ids: positive (else EINVAL), a live thread (the tid table,
  /// `Scheduler.threads`), in the thread group (process) `group` names.
  static func thread(_ tid: Int32, group: Int32?) throws(LinuxErrno) -> KernelThread {
    guard tid > 0, (group ?? 1) > 0 else { throw .EINVAL }
    guard let thread = Scheduler.shared.threads.find(UInt64(tid)), let target = thread.process,
      !target.isZombie, group.map({ UInt64($0) == target.id }) ?? true
    else { throw .ESRCH }
    return thread
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
    carryOut(
      ProcessRunner.current!.signals.deliver(thread: &Processor.current.thread.signals),
      sentByItself: false)
    return try answer.get()
  }

  /// Ends the process for `.terminates`, with one kernel line; returns for `.continues`.
  static func carryOut(_ outcome: SignalOutcome, sentByItself: Bool) {
    guard case .terminates(let signal) = outcome else {
      return SignalDelivery.attendIfDeliverable(Processor.current.thread)
    }
    let process = ProcessRunner.current!
    ProcessConsole.line(
      process.label + " killed by "
        + (sentByItself ? "its own signal " : "its pending signal ") + String(signal.rawValue))
    ProcessExit.end(process, .killed(signal: UInt64(signal.rawValue)))
  }

  /// `sigaltstack(ss, old_ss)` (kernel/signal.c `do_sigaltstack`): the new `stack_t` is read
  /// first (EFAULT), then checked against the thread's RSP at the call (`ThreadSignalStack
  /// .replaced`: EPERM, EINVAL, ENOMEM); the old setting is copied out only if that worked.
  static func sigaltstack(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let thread = Processor.current.thread
    let stackPointer = call.frame!.pointee.rsp
    let old = thread.signals.alternateStack.reported(at: stackPointer)
    if call.a0 != 0 {
      let new = SignalStack(
        decoding: try SignalReturn.readBytes(at: call.a0, count: SignalStack.byteCount))
      thread.signals.alternateStack = try thread.signals.alternateStack.replaced(
        by: new, at: stackPointer)
    }
    if call.a1 != 0 { try UserMemory.copyOut(old.image, to: call.a1) }
    return 0
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
