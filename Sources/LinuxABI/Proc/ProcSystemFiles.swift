/// What the machine-wide /proc files other than meminfo and cpuinfo report.
public struct SystemReport: Equatable, Sendable {
  /// Hundredths of a second since boot, and spent idle (`/proc/uptime`).
  public var uptimeHundredths: UInt64 = 0
  public var idleHundredths: UInt64 = 0
  /// Clock ticks (`USER_HZ`) of user, system and idle time (`/proc/stat`'s cpu lines).
  public var userTicks: UInt64 = 0
  public var systemTicks: UInt64 = 0
  public var idleTicks: UInt64 = 0
  /// Interrupts taken, context switches, the boot time (seconds of the epoch), processes
  /// created, running and blocked now.
  public var interrupts: UInt64 = 0
  public var contextSwitches: UInt64 = 0
  public var bootTime: UInt64 = 0
  public var processesCreated: UInt64 = 0
  public var running: UInt64 = 0
  public var blocked: UInt64 = 0
  /// `/proc/loadavg`: the load averages (hundredths), tasks runnable / existing, last pid.
  public var load: (UInt64, UInt64, UInt64) = (0, 0, 0)
  public var tasks: UInt64 = 0
  public var lastID: UInt64 = 0

  public init() {}

  public static func == (left: SystemReport, right: SystemReport) -> Bool {
    left.uptimeHundredths == right.uptimeHundredths && left.idleHundredths == right.idleHundredths
      && left.userTicks == right.userTicks && left.systemTicks == right.systemTicks
      && left.idleTicks == right.idleTicks && left.interrupts == right.interrupts
      && left.contextSwitches == right.contextSwitches && left.bootTime == right.bootTime
      && left.processesCreated == right.processesCreated && left.running == right.running
      && left.blocked == right.blocked && left.load == right.load && left.tasks == right.tasks
      && left.lastID == right.lastID
  }
}

/// `/proc/uptime`, `/proc/loadavg` and `/proc/stat` (fs/proc/uptime.c, loadavg.c, stat.c).
public enum ProcSystemFiles {
  /// `NR_SOFTIRQS`: the per-kind counts after `softirq`'s total.
  static let softInterruptKinds = 10

  /// "6.39 0.00\n".
  public static func uptime(_ s: SystemReport) -> [UInt8] {
    var text = ProcText()
    text.hundredths(s.uptimeHundredths)
    text.append(" ")
    text.hundredths(s.idleHundredths)
    text.newline()
    return text.bytes
  }

  /// "0.08 0.02 0.01 1/48 88\n".
  public static func loadavg(_ s: SystemReport) -> [UInt8] {
    var text = ProcText()
    for value in [s.load.0, s.load.1, s.load.2] {
      text.hundredths(value)
      text.append(" ")
    }
    text.decimal(s.running)
    text.append("/")
    text.decimal(s.tasks)
    text.append(" ")
    text.decimal(s.lastID)
    text.newline()
    return text.bytes
  }

  /// The `cpu` total line (two spaces after the name), one `cpu0` line (one CPU), then the
  /// interrupt, switch, boot-time and process counters. The per-interrupt counts after `intr`'s
  /// total are left out (Linux lists every vector; readers take the total).
  public static func stat(_ s: SystemReport) -> [UInt8] {
    var text = ProcText()
    cpuLine("cpu ", s, &text)
    cpuLine("cpu0", s, &text)
    let counters: [(String, UInt64)] = [
      ("intr", s.interrupts), ("ctxt", s.contextSwitches), ("btime", s.bootTime),
      ("processes", s.processesCreated), ("procs_running", s.running),
      ("procs_blocked", s.blocked),
    ]
    for (name, value) in counters {
      text.append(name + " ")
      text.decimal(value)
      text.newline()
    }
    text.append("softirq 0")
    for _ in 0..<softInterruptKinds { text.append(" 0") }
    text.newline()
    return text.bytes
  }

  /// One CPU line, the total's and each CPU's alike: the name and the ten times of
  /// `show_stat` (user, nice, system, idle, iowait, irq, softirq, steal, guest, guest_nice).
  static func cpuLine(_ name: String, _ s: SystemReport, _ text: inout ProcText) {
    text.append(name)
    for value in [s.userTicks, 0, s.systemTicks, s.idleTicks, 0, 0, 0, 0, 0, 0] {
      text.append(" ")
      text.decimal(value)
    }
    text.newline()
  }
}
