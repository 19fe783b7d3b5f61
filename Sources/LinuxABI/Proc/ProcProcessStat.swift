/// What `/proc/PID/stat` and `/proc/PID/statm` report (fs/proc/array.c `do_task_stat`,
/// `proc_pid_statm`). Times in clock ticks (`USER_HZ`), sizes in bytes or pages as each
/// field is.
public struct ProcessStatistics: Equatable, Sendable {
  public var processID: UInt64 = 0
  public var name: [UInt8] = []
  public var state: ProcessState = .running
  public var parentID: UInt64 = 0
  public var groupID: UInt64 = 0
  public var sessionID: UInt64 = 0
  public var minorFaults: UInt64 = 0
  public var childMinorFaults: UInt64 = 0
  public var userTicks: UInt64 = 0
  public var systemTicks: UInt64 = 0
  public var childUserTicks: UInt64 = 0
  public var childSystemTicks: UInt64 = 0
  public var threads: UInt64 = 1
  /// Clock ticks after boot when the process started.
  public var startTicks: UInt64 = 0
  public var virtualBytes: UInt64 = 0
  public var residentPages: UInt64 = 0
  /// `RLIMIT_RSS` (unlimited: all ones).
  public var residentLimit: UInt64 = UInt64.max
  public var codeStart: UInt64 = 0
  public var codeEnd: UInt64 = 0
  public var stackStart: UInt64 = 0
  public var pending: UInt64 = 0
  public var blocked: UInt64 = 0
  public var ignored: UInt64 = 0
  public var caught: UInt64 = 0
  /// The signal the parent gets at the end (SIGCHLD).
  public var exitSignal: UInt64 = 17
  public var dataStart: UInt64 = 0
  public var dataEnd: UInt64 = 0
  public var breakStart: UInt64 = 0
  public var argumentStart: UInt64 = 0
  public var argumentEnd: UInt64 = 0
  public var environmentStart: UInt64 = 0
  public var environmentEnd: UInt64 = 0
  /// A zombie's `exit_code` (wait status encoding); 0 while alive.
  public var exitCode: UInt64 = 0
  /// statm: shared (file-backed resident) pages, text pages, data + stack pages.
  public var sharedPages: UInt64 = 0
  public var textPages: UInt64 = 0
  public var dataPages: UInt64 = 0

  public init() {}
}

/// The two formats over `ProcessStatistics`.
public enum ProcProcessStat {
  /// `PF_RANDOMIZE`: the flags word of a process with address-space randomisation, what
  /// every ordinary Linux process shows.
  public static let randomizeFlag: UInt64 = 0x0040_0000
  /// The `priority` and `nice` of a SCHED_OTHER task at nice 0.
  public static let defaultPriority: UInt64 = 20

  /// `/proc/PID/stat`: the 52 fields of proc(5), one line. Fields this kernel has no notion
  /// of (tty, major faults, wchan, the kernel stack pointer, real-time policy, I/O delay,
  /// guest time) are 0 as Linux shows them for such a process; `tpgid` is -1 (no terminal).
  public static func stat(_ s: ProcessStatistics) -> [UInt8] {
    var text = ProcText()
    text.decimal(s.processID)
    text.append(" (")
    text.append(bytes: s.name)
    text.append(") " + s.state.letter)
    let beforeFaults: [UInt64] = [s.parentID, s.groupID, s.sessionID, 0]
    for value in beforeFaults { number(value, &text) }
    text.append(" -1")
    let rest: [UInt64] = [
      randomizeFlag, s.minorFaults, s.childMinorFaults, 0, 0, s.userTicks, s.systemTicks,
      s.childUserTicks, s.childSystemTicks, defaultPriority, 0, s.threads, 0, s.startTicks,
      s.virtualBytes, s.residentPages, s.residentLimit, s.codeStart, s.codeEnd, s.stackStart,
      0, 0, s.pending, s.blocked, s.ignored, s.caught, 0, 0, 0, s.exitSignal, 0, 0, 0, 0, 0, 0,
      s.dataStart, s.dataEnd, s.breakStart, s.argumentStart, s.argumentEnd, s.environmentStart,
      s.environmentEnd, s.exitCode,
    ]
    for value in rest { number(value, &text) }
    text.newline()
    return text.bytes
  }

  /// `/proc/PID/statm`: size resident shared text lib data dt, in pages.
  public static func statm(_ s: ProcessStatistics, pageSize: UInt64 = 4096) -> [UInt8] {
    var text = ProcText()
    let values: [UInt64] = [
      s.virtualBytes / pageSize, s.residentPages, s.sharedPages, s.textPages, 0, s.dataPages, 0,
    ]
    for (index, value) in values.enumerated() {
      if index > 0 { text.append(" ") }
      text.decimal(value)
    }
    text.newline()
    return text.bytes
  }

  static func number(_ value: UInt64, _ text: inout ProcText) {
    text.append(" ")
    text.decimal(value)
  }
}
