/// What `/proc/PID/status` reports about a process (fs/proc/array.c `proc_pid_status`,
/// fs/proc/task_mmu.c `task_mem`), in the kernel's terms; memory sizes in KiB.
public struct ProcessStatus: Equatable, Sendable {
  public var name: [UInt8] = []
  /// `task_state_array`'s letter and word: "R (running)", "S (sleeping)", "Z (zombie)".
  public var state: ProcessState = .running
  public var threadGroupID: UInt64 = 0
  public var processID: UInt64 = 0
  public var parentID: UInt64 = 0
  /// `FDSize`: the descriptor table's capacity (`max_fds`).
  public var descriptorCapacity: UInt64 = 0
  public var peakVirtualKiB: UInt64 = 0
  public var virtualKiB: UInt64 = 0
  public var peakResidentKiB: UInt64 = 0
  public var residentAnonymousKiB: UInt64 = 0
  public var residentFileKiB: UInt64 = 0
  public var residentSharedKiB: UInt64 = 0
  public var dataKiB: UInt64 = 0
  public var stackKiB: UInt64 = 0
  public var executableKiB: UInt64 = 0
  public var libraryKiB: UInt64 = 0
  public var pageTableKiB: UInt64 = 0
  /// Pages of the process on swap (`VmSwap`, issue 12).
  public var swapKiB: UInt64 = 0
  public var threads: UInt64 = 1
  /// `SigQ`: signals queued to the owner / its `RLIMIT_SIGPENDING`.
  public var queuedSignals: UInt64 = 0
  public var queuedSignalLimit: UInt64 = 0
  public var threadPending: UInt64 = 0
  public var sharedPending: UInt64 = 0
  public var blocked: UInt64 = 0
  public var ignored: UInt64 = 0
  public var caught: UInt64 = 0
  public var voluntarySwitches: UInt64 = 0
  public var involuntarySwitches: UInt64 = 0

  public init() {}

  /// `VmRSS`: `RssAnon + RssFile + RssShmem`.
  public var residentKiB: UInt64 { residentAnonymousKiB + residentFileKiB + residentSharedKiB }
}

/// A task's state letter (`task_state_array`) as status and stat print it.
public enum ProcessState: Sendable, Equatable {
  case running, sleeping, zombie

  public var letter: String {
    switch self {
    case .running: return "R"
    case .sleeping: return "S"
    case .zombie: return "Z"
    }
  }

  public var word: String {
    switch self {
    case .running: return "running"
    case .sleeping: return "sleeping"
    case .zombie: return "zombie"
    }
  }
}

/// `/proc/PID/status`: Linux 6.1's lines in its order. What this kernel has no notion of is
/// printed as Linux prints it for a plain root process without those features (ids 0, no
/// supplementary groups, one namespace, full capabilities, no seccomp, one CPU and node).
public enum ProcStatus {
  /// `CAP_FULL_SET` of 6.1 (41 capabilities): what root's CapPrm/CapEff/CapBnd show.
  public static let fullCapabilities: UInt64 = 0x1ff_ffff_ffff
  /// `Mems_allowed`: 32 words of nodemask, node 0 set (MAX_NUMNODES = 1024).
  static let nodeMaskWords = 32

  public static func text(_ status: ProcessStatus) -> [UInt8] {
    var text = ProcText()
    field("Name", &text) { $0.append(bytes: status.name) }
    field("Umask", &text) { $0.append("0022") }
    field("State", &text) { $0.append(status.state.letter + " (" + status.state.word + ")") }
    field("Tgid", &text) { $0.decimal(status.threadGroupID) }
    field("Ngid", &text) { $0.decimal(0) }
    field("Pid", &text) { $0.decimal(status.processID) }
    field("PPid", &text) { $0.decimal(status.parentID) }
    field("TracerPid", &text) { $0.decimal(0) }
    field("Uid", &text) { $0.append("0\t0\t0\t0") }
    field("Gid", &text) { $0.append("0\t0\t0\t0") }
    field("FDSize", &text) { $0.decimal(status.descriptorCapacity) }
    field("Groups", &text) { $0.append(" ") }
    field("NStgid", &text) { $0.decimal(status.threadGroupID) }
    field("NSpid", &text) { $0.decimal(status.processID) }
    field("NSpgid", &text) { $0.decimal(0) }
    field("NSsid", &text) { $0.decimal(0) }
    memory(status, into: &text)
    field("CoreDumping", &text) { $0.decimal(0) }
    field("THP_enabled", &text) { $0.decimal(1) }
    field("Threads", &text) { $0.decimal(status.threads) }
    field("SigQ", &text) {
      $0.decimal(status.queuedSignals)
      $0.append("/")
      $0.decimal(status.queuedSignalLimit)
    }
    mask("SigPnd", status.threadPending, &text)
    mask("ShdPnd", status.sharedPending, &text)
    mask("SigBlk", status.blocked, &text)
    mask("SigIgn", status.ignored, &text)
    mask("SigCgt", status.caught, &text)
    mask("CapInh", 0, &text)
    mask("CapPrm", fullCapabilities, &text)
    mask("CapEff", fullCapabilities, &text)
    mask("CapBnd", fullCapabilities, &text)
    mask("CapAmb", 0, &text)
    field("NoNewPrivs", &text) { $0.decimal(0) }
    field("Seccomp", &text) { $0.decimal(0) }
    field("Seccomp_filters", &text) { $0.decimal(0) }
    field("Speculation_Store_Bypass", &text) { $0.append("not vulnerable") }
    field("SpeculationIndirectBranch", &text) { $0.append("always enabled") }
    field("Cpus_allowed", &text) { $0.append("1") }
    field("Cpus_allowed_list", &text) { $0.append("0") }
    field("Mems_allowed", &text) { text in
      for _ in 1..<nodeMaskWords { text.append("00000000,") }
      text.append("00000001")
    }
    field("Mems_allowed_list", &text) { $0.append("0") }
    field("voluntary_ctxt_switches", &text) { $0.decimal(status.voluntarySwitches) }
    field("nonvoluntary_ctxt_switches", &text) { $0.decimal(status.involuntarySwitches) }
    return text.bytes
  }

  /// `task_mem`'s lines, each `%8lu kB`.
  static func memory(_ status: ProcessStatus, into text: inout ProcText) {
    let lines: [(String, UInt64)] = [
      ("VmPeak", status.peakVirtualKiB), ("VmSize", status.virtualKiB), ("VmLck", 0),
      ("VmPin", 0), ("VmHWM", status.peakResidentKiB), ("VmRSS", status.residentKiB),
      ("RssAnon", status.residentAnonymousKiB), ("RssFile", status.residentFileKiB),
      ("RssShmem", status.residentSharedKiB), ("VmData", status.dataKiB),
      ("VmStk", status.stackKiB), ("VmExe", status.executableKiB), ("VmLib", status.libraryKiB),
      ("VmPTE", status.pageTableKiB), ("VmSwap", status.swapKiB), ("HugetlbPages", 0),
    ]
    for (name, value) in lines { kibibytes(name, value, &text) }
  }

  /// "Name:\t%8lu kB".
  static func kibibytes(_ name: String, _ value: UInt64, _ text: inout ProcText) {
    field(name, &text) {
      $0.decimal(value, width: 8)
      $0.append(" kB")
    }
  }

  /// "Name:\t%016lx": a signal or capability set.
  static func mask(_ name: String, _ value: UInt64, _ text: inout ProcText) {
    field(name, &text) { $0.hex(value, digits: 16) }
  }

  static func field(_ name: String, _ text: inout ProcText, _ value: (inout ProcText) -> Void) {
    text.append(name + ":\t")
    value(&text)
    text.newline()
  }
}
