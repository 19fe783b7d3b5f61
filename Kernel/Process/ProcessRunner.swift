import KernelSupport

/// Runs the programs handed to the kernel (launch records naming files of the root file
/// system, or bare program modules: `ProgramLaunch`), one after another, each in a clean
/// address space, and checks after each that every frame came back.
///
/// A bare module's string is its command line: `-initrd "prog a b,prog2"` runs `prog` with
/// argv = [prog, a, b], then `prog2`. For each process the kernel prints whole lines only:
///
/// ```
/// [kernel] pid 1 (prog) started: prog a b
/// [kernel] pid 1 (prog) exited with status 0; 12 demand faults, peak 9 frames (36 KiB)
///   resident, 9 at exit; entered ring 3 512000 us after reset, ran 1200 us   (one line)
/// [kernel] pid 1 (prog) frames back to baseline: 61234 free
/// [kernel] exit-status 0
/// ```
///
/// `exit-status N` is the machine-readable line tools/run-elf reads: the program's status,
/// 128 + signal when killed (139 for a memory fault), 126 when it could not be loaded.
enum ProcessRunner {
  /// Frames kept out of the commit ledger for the kernel's own needs (heap growth, tables).
  static let kernelReserveFrames: UInt64 = 4096
  /// `exit-status` for a program the loader refused (as a shell's "cannot execute").
  static let notExecutableStatus: UInt64 = 126

  /// The process running now on this CPU, or nil.
  static var current: UserProcess? { Processor.current.process }
  /// The machine's physical-memory context (frames, commit, zero page, frame table).
  static var physical: KernelPhysicalMemory { MemoryManager.physical! }
  nonisolated(unsafe) static var nextID: UInt64 = 1
  /// Whether every process so far gave back every frame.
  nonisolated(unsafe) static var accountingClean = true

  /// One-time set-up: SYSCALL, SSE for ring 3, TSS.RSP0, the commit limit, the clocks and the
  /// timer interrupt.
  static func prepare() {
    UserMode.install()
    EventTimer.start()  // calibrates the TSC and the local APIC timer, starts the tick
    _ = WallClock.boot  // the RTC, read once the TSC is calibrated
    if physical.commit.limit == 0 {  // the first time: the context starts with no limit
      let free = MemoryManager.bitmap!.freeFrameCount
      physical.resetCommit(limit: free > kernelReserveFrames ? free - kernelReserveFrames : 0)
    }
  }

  /// Runs every program in order. Returns whether frame accounting was clean after each.
  static func runAll(_ programs: [ProgramLaunch], fileSystem: FileTree) -> Bool {
    prepare()
    for program in programs { run(program, fileSystem: fileSystem) }
    return accountingClean
  }

  /// Runs one program to its end.
  static func run(_ program: ProgramLaunch, fileSystem: FileTree) {
    let process = UserProcess(
      id: nextID, name: program.name, usableFrames: MemoryManager.bitmap!.usableFrameCount)
    process.fileSystem = fileSystem
    process.descriptors = DescriptorTable(input: InputStream(program.input))
    nextID += 1
    let freeBefore = MemoryManager.bitmap!.freeFrameCount
    let heapBefore = MemoryManager.heapFramesTaken
    ProcessConsole.line(process.label + " started: " + program.commandLine)
    let status = start(process, program: program)
    finish(process)
    let heapGrowth = MemoryManager.heapFramesTaken - heapBefore
    checkFrames(process, expected: freeBefore - heapGrowth)
    ProcessConsole.line("exit-status " + String(status))
  }

  /// Loads and enters the program; returns its shell status.
  static func start(_ process: UserProcess, program: ProgramLaunch) -> UInt64 {
    guard let bytes = program.image else {
      let refusal = program.refusal!
      ProcessConsole.line(process.label + " not started: " + refusal.reason)
      return refusal.status
    }
    let start: (entry: UInt64, stackPointer: UInt64)
    Processor.current.process = process  // the loader gives it its address space
    do {
      start = try ProgramLoader.load(ELFBytes(bytes), arguments: program.arguments)
    } catch {
      Processor.current.process = nil
      ProcessConsole.line(process.label + " not started: " + error.description)
      return notExecutableStatus
    }
    UserMode.setFSBase(0)
    user_fpu_state_reset()
    process.enteredAt = timestamp_counter_read()
    let timerBefore = EventTimer.local?.statistics
    let end = ProcessEnd(encoded: user_mode_enter(start.entry, start.stackPointer))
    let ranFor = timestamp_counter_read() &- process.enteredAt
    samplePeakResidency()
    Processor.current.process = nil
    report(process, end, ranFor: ranFor)
    if let timerBefore, let timer = EventTimer.local {
      ProcessConsole.line(
        process.label + " timer: " + timer.statistics.since(timerBefore).description)
    }
    return end.shellStatus
  }

  /// Records the running process's resident frames if they are its most so far.
  static func samplePeakResidency() {
    guard let process = current, let space = process.addressSpace else { return }
    process.peakResidentFrames = max(process.peakResidentFrames, space.residentFrames)
  }

  /// The exit line with the process's memory figures.
  static func report(_ process: UserProcess, _ end: ProcessEnd, ranFor ticks: UInt64) {
    let space = process.addressSpace!
    let kibPerFrame = PageSize.size4KiB.bytes / 1024
    let microsecond: UInt64 = 1000
    let figures =
      String(space.resolvedFaults) + " demand faults, peak " + String(process.peakResidentFrames)
      + " frames (" + String(process.peakResidentFrames * kibPerFrame) + " KiB) resident, "
      + String(space.residentFrames) + " at exit; "
      + "entered ring 3 "
      + String(MonotonicClock.nanoseconds(ofTicks: process.enteredAt) / microsecond)
      + " us after reset, ran " + String(MonotonicClock.nanoseconds(ofTicks: ticks) / microsecond)
      + " us"
    switch end {
    case .exited(let status):
      ProcessConsole.line(
        process.label + " exited with status " + String(status) + "; " + figures)
    case .killed:
      ProcessConsole.line(process.label + " was killed; " + figures)
    }
  }

  /// Back to the kernel's tables; the process's address space returns everything.
  static func finish(_ process: UserProcess) {
    Processor.current.activate(MemoryManager.kernelSpace!)
    if let space = process.addressSpace {
      checkCommit(of: space, process)
      space.tearDown()
      process.addressSpace = nil
    }
    UserMode.setFSBase(0)
  }

  /// The commit invariant at exit (`AddressSpace.commitAudit`): every region with pages was
  /// charged its worst case. A broken one is reported like a frame mismatch and fails the run.
  static func checkCommit(of space: ProcessAddressSpace, _ process: UserProcess) {
    let broken = space.commitAudit()
    guard let first = broken.first else { return }
    accountingClean = false
    ProcessConsole.line(
      "FRAME ACCOUNTING MISMATCH after " + process.label + ": " + String(broken.count)
        + " regions with pages but not their commit, first " + first.description)
  }

  /// The per-process accounting line; a mismatch is printed distinctly and fails the run.
  static func checkFrames(_ process: UserProcess, expected: UInt64) {
    let free = MemoryManager.bitmap!.freeFrameCount
    let committed = physical.commit.committed
    if free == expected && committed == 0 {
      ProcessConsole.line(
        process.label + " frames back to baseline: " + String(free) + " free")
    } else {
      accountingClean = false
      ProcessConsole.line(
        "FRAME ACCOUNTING MISMATCH after " + process.label + ": " + String(free)
          + " free, expected " + String(expected) + "; commit still charged "
          + String(committed))
    }
  }
}
