import KernelSupport

/// `wait4` and `waitid`: a parent waits for a child to end and reaps it (the zombie's table
/// entry goes, its CPU times are added to the parent's children's). A wait blocks in the
/// parent's `childEvents` until a child ends; a signal interrupts it (`ERESTARTSYS`: EINTR, or
/// restarted under SA_RESTART, once delivered), so does a kill (EINTR, never seen: the
/// process ends on its way out).
enum WaitCalls {
  /// `wait4`/`waitid` options (linux/wait.h).
  static let WNOHANG: UInt64 = 0x1
  static let WUNTRACED: UInt64 = 0x2  // = WSTOPPED for waitid
  static let WEXITED: UInt64 = 0x4
  static let WCONTINUED: UInt64 = 0x8
  static let WNOWAIT: UInt64 = 0x0100_0000
  static let WNOTHREAD: UInt64 = 0x2000_0000
  static let WALL: UInt64 = 0x4000_0000
  static let WCLONE: UInt64 = 0x8000_0000
  static let wait4Options = WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE
  static let waitidOptions =
    WNOHANG | WUNTRACED | WEXITED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE
  /// `waitid`'s id types.
  static let P_ALL: UInt64 = 0
  static let P_PID: UInt64 = 1
  static let P_PGID: UInt64 = 2
  /// `siginfo_t` for SIGCHLD: 128 bytes; `si_code`s.
  static let siginfoSize = 128
  static let CLD_EXITED: UInt64 = 1
  static let CLD_KILLED: UInt64 = 2

  /// Which children a wait is for.
  enum Selection {
    case any
    case process(UInt64)
    case group(UInt64)

    func matches(_ child: UserProcess) -> Bool {
      switch self {
      case .any: return true
      case .process(let id): return child.id == id
      case .group(let id): return child.groupID == id
      }
    }
  }

  /// `wait4(pid, wstatus, options, rusage)`: pid > 0 that child, 0 the caller's group, -1 any,
  /// < -1 the group -pid (INT_MIN: ESRCH, as Linux).
  static func wait4(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let pid = Int32(truncatingIfNeeded: call.a0)
    let options = call.a2 & 0xffff_ffff
    guard options & ~wait4Options == 0 else { throw .EINVAL }
    if pid == Int32.min { throw .ESRCH }
    let process = ProcessRunner.current!
    let selection: Selection =
      pid > 0
      ? .process(UInt64(pid))
      : pid == 0 ? .group(process.groupID) : pid == -1 ? .any : .group(UInt64(-Int64(pid)))
    guard let child = try waitForZombie(selection, noHang: options & WNOHANG != 0) else {
      return 0
    }
    let end = child.end!
    if call.a1 != 0 {
      let status = Array(LinuxStructures.littleEndian(statusWord(end))[0..<4])
      try UserMemory.copyOut(status, to: call.a1)
    }
    if call.a3 != 0 { try UserMemory.copyOut(usage(of: child), to: call.a3) }
    reap(child, from: process)
    return child.id
  }

  /// `waitid(idtype, id, infop, options, rusage)`: WEXITED must be asked for (stops and
  /// continues do not exist here); WNOWAIT leaves the zombie.
  static func waitid(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let options = call.a3 & 0xffff_ffff
    guard options & ~waitidOptions == 0,
      options & (WEXITED | WUNTRACED | WCONTINUED) != 0
    else { throw .EINVAL }
    let process = ProcessRunner.current!
    let id = UInt64(UInt32(truncatingIfNeeded: call.a1))
    let selection: Selection
    switch call.a0 {
    case P_ALL: selection = .any
    case P_PID:
      guard Int32(bitPattern: UInt32(id)) > 0 else { throw .EINVAL }
      selection = .process(id)
    case P_PGID:
      guard Int32(bitPattern: UInt32(id)) >= 0 else { throw .EINVAL }
      selection = .group(id == 0 ? process.groupID : id)
    default: throw .EINVAL
    }
    let noHang = options & WNOHANG != 0
    let waitsForEnd = options & WEXITED != 0
    let child = waitsForEnd ? try waitForZombie(selection, noHang: noHang) : nil
    if !waitsForEnd {
      try checkChildren(selection, of: process)
      guard noHang else {  // only stops or continues, which never come
        while process.childEvents.wait() != .interrupted {}
        throw Interruption.answer(restarting: .ERESTARTSYS)
      }
    }
    if call.a2 != 0 { try UserMemory.copyOut(siginfo(child), to: call.a2) }
    guard let child else { return 0 }
    if call.a4 != 0 { try UserMemory.copyOut(usage(of: child), to: call.a4) }
    if options & WNOWAIT == 0 { reap(child, from: process) }
    return 0
  }

  /// ECHILD when the caller has no child the selection names.
  static func checkChildren(_ selection: Selection, of process: UserProcess) throws(LinuxErrno) {
    guard process.children.contains(where: { selection.matches($0) }) else { throw .ECHILD }
  }

  /// The first zombie child the selection names, waiting for one unless `noHang` (nil then).
  static func waitForZombie(_ selection: Selection, noHang: Bool) throws(LinuxErrno)
    -> UserProcess?
  {
    let process = ProcessRunner.current!
    while true {
      try checkChildren(selection, of: process)
      if let zombie = process.children.first(where: { $0.isZombie && selection.matches($0) }) {
        return zombie
      }
      if noHang { return nil }
      if process.childEvents.wait() == .interrupted {
        throw Interruption.answer(restarting: .ERESTARTSYS)
      }
    }
  }

  /// The wait status word: exit code << 8, or the signal (no core dumps: `RLIMIT_CORE` 0).
  static func statusWord(_ end: ProcessEnd) -> UInt64 {
    let exitCodeShift: UInt64 = 8
    switch end {
    case .exited(let code): return UInt64(code) << exitCodeShift
    case .killed(let signal): return signal
    }
  }

  /// A `siginfo_t` for SIGCHLD about `child` (all zero when there is none: WNOHANG).
  static func siginfo(_ child: UserProcess?) -> [UInt8] {
    guard let child, child.end != nil else { return [UInt8](repeating: 0, count: siginfoSize) }
    return childSignal(child).image
  }

  /// What SIGCHLD tells about `child`, which ended (`do_notify_parent`): CLD_EXITED with the
  /// exit code or CLD_KILLED with the signal, its pid, and its CPU times in clock ticks.
  static func childSignal(_ child: UserProcess) -> SignalInfo {
    let code: UInt64
    let status: UInt64
    switch child.end ?? .exited(0) {
    case .exited(let value):
      code = CLD_EXITED
      status = UInt64(value)
    case .killed(let signal):
      code = CLD_KILLED
      status = signal
    }
    let times = ProcessTimes(of: child)
    let nanosecondsPerTick =
      LinuxStructures.nanosecondsPerSecond / ResourceCalls.clockTicksPerSecond
    return SignalInfo(
      signal: .SIGCHLD, code: Int32(code),
      details: .child(
        pid: UInt32(truncatingIfNeeded: child.id), uid: 0,
        status: Int32(truncatingIfNeeded: status),
        userTicks: Int64(times.userNanoseconds / nanosecondsPerTick),
        systemTicks: Int64(times.systemNanoseconds / nanosecondsPerTick)))
  }

  /// The child's `struct rusage`: its own CPU times and faults.
  static func usage(of child: UserProcess) -> [UInt8] {
    let times = ProcessTimes(of: child)
    let kibPerFrame = PageSize.size4KiB.bytes / 1024
    return LinuxStructures.rusage(
      minorFaults: child.faultsAtEnd, maximumResidentKiB: child.peakResidentFrames * kibPerFrame,
      userNanoseconds: times.userNanoseconds, systemNanoseconds: times.systemNanoseconds)
  }

  /// `SA_NOCLDWAIT` (asm-generic/signal.h): the parent wants no zombies.
  static let SA_NOCLDWAIT: UInt64 = 0x2

  /// A child just ended: if its parent's SIGCHLD is `SIG_IGN` or has `SA_NOCLDWAIT`, no
  /// zombie is left — the child is reaped at once and the parent's waits see it gone (a
  /// wait4 for it answers ECHILD once no child is left), Linux's autoreap in
  /// `do_notify_parent`.
  static func reapIfUnwaited(_ child: UserProcess) {
    guard let parent = child.parent else { return }
    let action = parent.signals.action(for: .SIGCHLD)
    guard action.handler == SignalAction.ignoreHandler || action.flags & SA_NOCLDWAIT != 0
    else { return }
    reap(child, from: parent)
    parent.childEvents.wakeAll()
  }

  /// Removes the zombie: out of the parent's children and the process table; its CPU times
  /// (and its reaped children's) go to the parent's `RUSAGE_CHILDREN`.
  static func reap(_ child: UserProcess, from parent: UserProcess) {
    let times = ProcessTimes(of: child)
    parent.reapedChildrenUserNanoseconds +=
      times.userNanoseconds + child.reapedChildrenUserNanoseconds
    parent.reapedChildrenSystemNanoseconds +=
      times.systemNanoseconds + child.reapedChildrenSystemNanoseconds
    if let index = parent.children.firstIndex(where: { $0 === child }) {
      parent.children.remove(at: index)
    }
    child.parent = nil
    child.thread = nil
    Scheduler.shared.table.remove(child)
  }
}
