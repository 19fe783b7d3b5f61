/// One running program: its identity, its address space and what else the kernel keeps for it.
/// While it runs, its CPU's `Processor` names it and has its space in CR3.
///
/// Its life (Kernel/Process/ProcessExit.swift, Kernel/Scheduler/ProcessTable.swift): created
/// by a launch record or by `fork`; alive while its thread runs or blocks; at its end
/// (`ProcessExit.end`) it gives back its memory and descriptors at once and becomes a zombie
/// (`end` set) until its parent reaps it with `wait4`/`waitid` (or, for a launch's first
/// process and every process left at its end, until the kernel does).
final class UserProcess {
  /// What `getppid` answers for a launch's first process: it runs as if init (pid 1) had
  /// started it, as tools/run-linux runs it (PID 1's only child). Linux answers 0 only for
  /// init itself, which no program here is, although the first one also has pid 1 (pids count
  /// the processes of one boot).
  static let parentID: UInt64 = 1

  /// The process ID (1, 2, … in the order programs run).
  let id: UInt64
  /// The program's name: argv[0] at launch, the file's base name after `execve` (Linux's `comm`).
  var name: String
  /// The most frames the process had backed at once (`ru_maxrss`). Exact when sampled at every
  /// system call and at the end: frames are only gained through faults, and only given back
  /// through system calls.
  var peakResidentFrames: UInt64 = 0
  /// Its memory: owned here, created by the loader, torn down when the process ends — unless
  /// it is lent (`spaceLender`).
  var addressSpace: ProcessAddressSpace?
  /// The vfork parent whose address space this child runs in until it execs or ends (nil:
  /// the space is its own). `giveUpAddressSpace` then leaves the space to the lender.
  var spaceLender: UserProcess? = nil
  /// The demand faults of its address space, kept when the space goes (`wait4`'s rusage).
  var faultsAtEnd: UInt64 = 0
  /// Its file descriptors.
  var descriptors = DescriptorTable()
  /// The root file system its paths resolve in (the launch's, shared by its processes), and
  /// its working directory.
  var fileSystem = FileTree()
  var workingDirectory = FileTree.root
  /// `umask`: the permission bits new files and directories do not get (inherited by fork).
  var creationMask: UInt32 = OpenFlags.creationMask
  /// Its program's file, arguments and environment as loaded (/proc's exe, cmdline, environ).
  var program = ProgramRecord()
  /// The working directory's path when it is inside /proc (then `workingDirectory` is the
  /// root): Kernel/Proc resolves relative paths from it.
  var procWorkingDirectory: [UInt8]? = nil
  /// Its signal dispositions, mask and pending signals (Kernel/Syscall/SignalCalls.swift).
  var signals = SignalState()
  var realTimer = RealTimer()  // ITIMER_REAL (`alarm`, `setitimer`): Kernel/Timer/RealTimers.swift
  var signalWaits = SignalWaitState()  // rt_sigtimedwait's: Kernel/Syscall/SignalWaitCalls.swift
  /// The TSC when the process first entered ring 3.
  var enteredAt: UInt64 = 0
  /// TSC ticks spent inside system calls (its system time; see `ProcessTimes`).
  var ticksInKernel: UInt64 = 0
  /// Its resource limits (`getrlimit` / `setrlimit` / `prlimit64`).
  var limits: ResourceLimits
  /// The unsupported call numbers already logged for it.
  var unsupportedCalls = UnsupportedCallLog()

  /// Its parent, nil for a launch's first process (its parent is the kernel). Orphans are
  /// reparented to the launch's first process (`ProcessTable.reparent`).
  var parent: UserProcess? = nil
  /// Its children, live and zombie, until reaped.
  var children: [UserProcess] = []
  /// Its process group and session (`setpgid`, `setsid`): its own id until it changes them,
  /// a forked child's parent's.
  var groupID: UInt64
  var sessionID: UInt64
  /// Its live threads, the first one created first (Kernel/Thread: `clone(CLONE_THREAD)` adds
  /// one, `exit` of one that is not the last removes it). At most `threadLimit`.
  var threads: [KernelThread] = []
  /// The most threads a process may have at once: `clone(CLONE_THREAD)` answers EAGAIN beyond
  /// (Linux's RLIMIT_NPROC / threads-max refusal). Every thread also needs a kernel stack
  /// slot, `Scheduler.processLimit` of them for the whole machine.
  static let threadLimit = 256
  /// Its oldest live thread (the one `wait4`'s CPU time and the kill path used to name):
  /// setting it replaces every thread (the loader's first thread; nil when it is reaped).
  var thread: KernelThread? {
    get { threads.first }
    set { threads = newValue.map { [$0] } ?? [] }
  }
  /// How the whole thread group ends, set by the first of `exit_group`, a fatal signal or a
  /// fault (Linux's `SIGNAL_GROUP_EXIT` and `group_exit_code`): every other thread is then
  /// killed and ends on its way back to ring 3; the last one to end ends the process with it.
  var groupExit: ProcessEnd? = nil
  /// The first thread's own `exit` status when it ended before the others with plain `exit`
  /// (the status `wait4` reports if no group exit comes: Linux reports the leader's code).
  var leaderExit: ProcessEnd? = nil
  /// CPU time (TSC ticks) of its threads that have ended.
  var ticksOfEndedThreads: UInt64 = 0
  /// A thread in `execve` waits here for the others to end (`ThreadGroup.endOthersForExec`).
  let threadEnded = WaitQueue()
  /// How it ended: set once it is a zombie.
  var end: ProcessEnd? = nil
  /// A signal whose default action ends it, sent by another process: it ends on its way back
  /// to ring 3, and any wait it is blocked in is interrupted.
  var pendingKill: UInt64? = nil
  /// Its waits for a child's change (`wait4`, `waitid`): a child's end wakes them.
  let childEvents = WaitQueue()
  /// A vfork parent sleeps here until this child execs or ends (`finishVfork`).
  var vforkParentWaits: WaitQueue? = nil
  /// The CPU time of its reaped children and theirs (`RUSAGE_CHILDREN`), in nanoseconds.
  var reapedChildrenUserNanoseconds: UInt64 = 0
  var reapedChildrenSystemNanoseconds: UInt64 = 0

  /// `usableFrames`: the machine's RAM in frames, from which Linux derives some limits.
  init(id: UInt64, name: String, usableFrames: UInt64) {
    self.id = id
    self.name = name
    self.limits = ResourceLimits(usableFrames: usableFrames)
    groupID = id
    sessionID = id
  }

  /// Ends a vfork parent's wait (this child execs or ends). Idempotent: execve calls it, and
  /// so does the process's end.
  func finishVfork() {
    guard let parentWaits = vforkParentWaits else { return }
    vforkParentWaits = nil
    parentWaits.wakeAll()
  }

  /// Lets go of the address space, at the end or in execve (after CR3 was switched to another
  /// space): a space of its own is torn down (after the commit audit); a lent one (vfork) is
  /// left to the lender; one it lent to a vfork child that still runs in it becomes that
  /// child's. Idempotent.
  func giveUpAddressSpace() {
    guard let space = addressSpace else { return }
    program.runningImage = nil  // the image's file may be written again (ETXTBSY no more)
    faultsAtEnd = space.resolvedFaults
    addressSpace = nil
    if spaceLender != nil {
      spaceLender = nil
      return
    }
    let table = Scheduler.shared.table
    if let borrower = table.processes.first(where: {
      $0.spaceLender === self && $0.addressSpace === space
    }) {
      borrower.spaceLender = nil
      return
    }
    ProcessRunner.checkCommit(of: space, self)
    space.tearDown()
  }

  /// TSC ticks its threads have run, the ended ones' included.
  func cpuTicks(at now: UInt64) -> UInt64 {
    threads.reduce(ticksOfEndedThreads) { $0 &+ $1.cpuTicks(at: now) }
  }

  /// A zombie: it ended and waits to be reaped.
  var isZombie: Bool { end != nil }

  /// "pid 3 (name)": how kernel lines name the process.
  var label: String { "pid " + String(id) + " (" + name + ")" }
}

/// How a process ended (its zombie's state, what `wait4` reports).
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
  /// The encoding of a kill: this marker plus the signal.
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
