/// Process groups and sessions: `setpgid`, `getpgid`, `getpgrp`, `setsid`, `getsid`
/// (kernel/sys.c). A process starts in its parent's group and session (a launch's first
/// process: its own, with its pid as both ids); there is no controlling terminal.
enum GroupCalls {
  /// `setpgid(pid, pgid)`: pid 0 is the caller, pgid 0 the target's pid. The target is the
  /// caller or one of its children (ESRCH), not a session leader and in the caller's session
  /// (EPERM); a group other than its own pid must exist in that session (EPERM).
  static func setpgid(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    let pid = Int32(truncatingIfNeeded: call.a0)
    let requested = Int32(truncatingIfNeeded: call.a1)
    guard pid >= 0, requested >= 0 else { throw .EINVAL }
    let target: UserProcess
    if pid == 0 || UInt64(pid) == process.id {
      target = process
    } else {
      guard let child = process.children.first(where: { $0.id == UInt64(pid) }) else {
        throw .ESRCH
      }
      guard child.sessionID == process.sessionID else { throw .EPERM }
      target = child
    }
    let group = requested == 0 ? target.id : UInt64(requested)
    guard target.sessionID != target.id else { throw .EPERM }
    if group != target.id {
      let exists = Scheduler.shared.table.processes.contains {
        $0.groupID == group && $0.sessionID == process.sessionID
      }
      guard exists else { throw .EPERM }
    }
    target.groupID = group
    return 0
  }

  /// `getpgid(pid)` / `getsid(pid)`: pid 0 is the caller; any other must exist (ESRCH).
  static func getpgid(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try named(call.a0).groupID
  }

  static func getsid(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try named(call.a0).sessionID
  }

  static func getpgrp(_ call: SystemCallArguments) -> UInt64 {
    ProcessRunner.current!.groupID
  }

  /// `setsid()`: EPERM for a process group leader (a group with its pid exists); else the
  /// caller leads a new session and group, both with its pid.
  static func setsid(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    let leads = Scheduler.shared.table.processes.contains { $0.groupID == process.id }
    guard !leads else { throw .EPERM }
    process.sessionID = process.id
    process.groupID = process.id
    return process.id
  }

  /// The process `pid` names (0: the caller).
  static func named(_ pid: UInt64) throws(LinuxErrno) -> UserProcess {
    let process = ProcessRunner.current!
    let id = Int32(truncatingIfNeeded: pid)
    if id == 0 { return process }
    guard id > 0, let target = Scheduler.shared.table.find(UInt64(id)) else { throw .ESRCH }
    return target
  }
}
