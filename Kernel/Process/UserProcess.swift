/// One running program: its identity, its address space and what else the kernel keeps for it.
/// While it runs, its CPU's `Processor` names it and has its space in CR3.
final class UserProcess {
  /// What `getppid` answers: every program runs as if init (pid 1) had started it, as
  /// tools/run-linux runs it (PID 1's only child) and as a shell's child is reparented to init.
  /// Linux answers 0 only for init itself, which no program here is, although the first one
  /// also has pid 1 (pids count the programs of one boot).
  static let parentID: UInt64 = 1

  /// The process ID (1, 2, … in the order programs run).
  let id: UInt64
  /// The program's name: argv[0] at launch, the file's base name after `execve` (Linux's `comm`).
  var name: String
  /// The FS base set by `arch_prctl(ARCH_SET_FS)` (the C library's thread pointer).
  var fsBase: UInt64 = 0
  /// The address `set_tid_address` registered (kept, never written: there are no threads).
  var clearChildTID: UInt64 = 0
  /// The most frames the process had backed at once (`ru_maxrss`). Exact when sampled at every
  /// system call and at the end: frames are only gained through faults, and only given back
  /// through system calls.
  var peakResidentFrames: UInt64 = 0
  /// Its memory: owned here, created by the loader, torn down when the process ends.
  var addressSpace: ProcessAddressSpace?
  /// Its file descriptors.
  var descriptors = DescriptorTable()
  /// The root file system its paths resolve in (shared, read-only), and its working directory.
  var fileSystem = FileTree()
  var workingDirectory = FileTree.root
  /// Its signal dispositions, mask and pending signals (Kernel/Syscall/SignalCalls.swift).
  var signals = SignalState()
  /// The TSC when the process first entered ring 3.
  var enteredAt: UInt64 = 0
  /// TSC ticks spent inside system calls (its system time; see `ProcessTimes`).
  var ticksInKernel: UInt64 = 0
  /// Its resource limits (`getrlimit` / `setrlimit` / `prlimit64`).
  var limits: ResourceLimits
  /// The unsupported call numbers already logged for it.
  var unsupportedCalls = UnsupportedCallLog()

  /// `usableFrames`: the machine's RAM in frames, from which Linux derives some limits.
  init(id: UInt64, name: String, usableFrames: UInt64) {
    self.id = id
    self.name = name
    self.limits = ResourceLimits(usableFrames: usableFrames)
  }

  /// "pid 3 (name)": how kernel lines name the process.
  var label: String { "pid " + String(id) + " (" + name + ")" }
}

/// How a process ended: what user_mode_enter returns, decoded.
enum ProcessEnd: Equatable {
  /// `exit`/`exit_group` with this status (0–255).
  case exited(UInt8)
  /// Killed by the kernel, with the signal Linux would have delivered (SIGSEGV for a memory
  /// fault).
  case killed(signal: UInt64)

  /// Signal numbers (asm-generic/signal.h) for the exceptions that kill.
  static let signalIllegalInstruction: UInt64 = 4
  static let signalTrap: UInt64 = 5
  static let signalBus: UInt64 = 7
  static let signalFloatingPoint: UInt64 = 8
  static let signalSegmentationViolation: UInt64 = 11
  /// The status a shell reports for a signal: 128 + signal.
  static let signalStatusBase: UInt64 = 128
  /// user_mode_enter's encoding of a kill: this marker plus the signal.
  static let killedMarker: UInt64 = 0x100

  init(encoded: UInt64) {
    self =
      encoded & ProcessEnd.killedMarker != 0
      ? .killed(signal: encoded & ~ProcessEnd.killedMarker)
      : .exited(UInt8(truncatingIfNeeded: encoded))
  }

  var encoded: UInt64 {
    switch self {
    case .exited(let status): return UInt64(status)
    case .killed(let signal): return ProcessEnd.killedMarker | signal
    }
  }

  /// The exit status a shell would see: the status, or 128 + signal (139 for SIGSEGV).
  var shellStatus: UInt64 {
    switch self {
    case .exited(let status): return UInt64(status)
    case .killed(let signal): return ProcessEnd.signalStatusBase + signal
    }
  }
}
