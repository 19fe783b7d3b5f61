import KernelSupport

/// Runs the programs handed to the kernel (launch records naming files of the root file
/// system, or bare program modules: `ProgramLaunch`), one launch after another, each in a clean
/// address space, and checks after each that every frame came back.
///
/// A bare module's string is its command line: `-initrd "prog a b,prog2"` runs `prog` with
/// argv = [prog, a, b], then `prog2`. A launch's first process may fork others; the launch
/// ends when every one of them has ended (when the first ends, the others still alive are
/// killed). For each process the kernel prints whole lines only:
///
/// ```
/// [kernel] pid 1 (prog) started: prog a b
/// [kernel] pid 1 (prog) exited with status 0; 12 demand faults, peak 9 frames (36 KiB)
///   resident, 9 at exit; entered ring 3 512000 us after reset, ran 1200 us   (one line)
/// [kernel] pid 1 (prog) frames back to baseline: 61234 free
/// [kernel] exit-status 0
/// ```
///
/// `exit-status N` is the machine-readable line tools/run-elf reads: the first process's
/// status, 128 + signal when killed (139 for a memory fault), 126 when it could not be loaded.
/// The frame check comes after every process of the launch has ended and been reaped.
enum ProcessRunner {
  /// Frames kept out of the commit ledger for the kernel's own needs (heap growth, tables).
  static let kernelReserveFrames: UInt64 = 4096
  /// `exit-status` for a program the loader refused (as a shell's "cannot execute").
  static let notExecutableStatus: UInt64 = 126
  /// RFLAGS of a new program: IF (bit 9; the timer interrupts user code) and bit 1 (reserved,
  /// always 1).
  static let initialUserFlags: UInt64 = 0x202

  /// The process running now on this CPU, or nil.
  static var current: UserProcess? { Processor.current.process }
  /// The machine's physical-memory context (frames, commit, zero page, frame table).
  static var physical: KernelPhysicalMemory { MemoryManager.physical! }
  /// Whether every process so far gave back every frame.
  nonisolated(unsafe) static var accountingClean = true

  /// One-time set-up: SYSCALL, SSE for ring 3, the kernel stack area, the commit limit, the
  /// clocks and the timer interrupt.
  static func prepare() {
    UserMode.install()
    Scheduler.shared.stacks.prepareTables()
    EventTimer.start()  // calibrates the TSC and the local APIC timer, starts the tick
    ConsoleTerminal.start()  // with `console=tty`: COM1's input interrupt
    _ = WallClock.boot  // the RTC, read once the TSC is calibrated
    if physical.commit.limit == 0 {  // the first time: the context starts with no limit
      let free = MemoryManager.bitmap!.freeFrameCount
      SwapService.attach(physical)  // commit = RAM + swap
      let ram = free > kernelReserveFrames ? free - kernelReserveFrames : 0
      physical.resetCommit(limit: physical.commitLimit(ramFrames: ram))
      Reclaimer.prepare(freeFrames: free)
    }
  }

  /// Runs every program in order. Returns whether frame accounting was clean after each.
  static func runAll(_ programs: [ProgramLaunch], fileSystem: FileTree) -> Bool {
    prepare()
    for program in programs { run(program, fileSystem: fileSystem) }
    let stacks = Scheduler.shared.stacks
    ProcessConsole.line(
      "kernel stacks: " + String(KernelStackArea.stackPages * PageSize.size4KiB.bytes / 1024)
        + " KiB each, deepest use " + String(stacks.deepestUse) + " bytes, at most "
        + String(stacks.mostInUse) + " at once; " + String(Scheduler.shared.switches)
        + " context switches")
    return accountingClean
  }

  /// Runs one launch to its end: its first process and every process it forks.
  static func run(_ program: ProgramLaunch, fileSystem: FileTree) {
    let scheduler = Scheduler.shared
    let process = UserProcess(
      id: scheduler.table.allocateID(), name: program.name,
      usableFrames: MemoryManager.bitmap!.usableFrameCount)
    process.fileSystem = FileTree(copying: fileSystem)  // the launch's own writable root
    process.descriptors = ConsoleTerminal.descriptors(for: process, input: program.input)
    let freeBefore = MemoryManager.bitmap!.freeFrameCount
    let heapBefore = MemoryManager.heapFramesTaken
    ProcessConsole.line(process.label + " started: " + program.commandLine)
    let status = start(process, program: program)
    ProcessExit.releaseResources(process)
    FileData.release(process.fileSystem)
    dropPageCache(process)
    let heapGrowth = MemoryManager.heapFramesTaken - heapBefore
    checkFrames(process, expected: freeBefore - heapGrowth)
    ProcessConsole.line("exit-status " + String(status))
  }

  /// The page cache lives for one launch: when its last process is gone, every cached file
  /// is let go (frames freed, charges refunded), so the launch's frames and commit come back
  /// to baseline exactly. A launch whose processes shared cached pages says how many.
  static func dropPageCache(_ process: UserProcess) {
    let cache = physical.pageCache
    if cache.sharedMappings > 0 {
      ProcessConsole.line(
        process.label + " page cache: " + String(cache.fileCount) + " files, "
          + String(cache.filledPages) + " pages read, " + String(cache.sharedMappings)
          + " faults mapped a cached page, up to " + String(cache.mostMappings)
          + " mappings of one frame")
    }
    physical.dropPageCache(through: DirectMap())
  }

  /// Loads the program, runs it and everything it starts until all have ended; returns its
  /// shell status.
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
      Processor.current.process = nil  // the idle thread runs now
    } catch {
      Processor.current.process = nil
      ProcessConsole.line(process.label + " not started: " + error.description)
      return notExecutableStatus
    }
    let scheduler = Scheduler.shared
    guard let stack = scheduler.stacks.allocate() else {
      ProcessConsole.line(process.label + " not started: no kernel stack")
      return notExecutableStatus
    }
    var user = UserThreadState()
    user.tid = process.id
    let thread = KernelThread(
      process: process, stack: stack, frame: firstFrame(start.entry, start.stackPointer),
      fpu: .initial, user: user)
    process.thread = thread
    scheduler.threads.add(thread)
    process.enteredAt = timestamp_counter_read()
    scheduler.table.add(process)
    let timerBefore = EventTimer.local?.statistics
    scheduler.childrenExited = 0
    scheduler.childrenKilled = 0
    scheduler.largestForkShare = 0
    scheduler.table.resetPeak()
    let firstID = process.id
    scheduler.makeRunnable(thread)
    scheduler.runIdle { scheduler.table.hasLiveProcesses }
    ProcessFamily.reapAll()
    let created = scheduler.table.nextID - firstID
    if created > 1 {  // it forked: how its others ended (they print no line of their own)
      ProcessConsole.line(
        process.label + " launch: " + String(created) + " processes, at most "
          + String(scheduler.table.mostAlive) + " alive at once, a fork shared up to "
          + String(scheduler.largestForkShare) + " frames copy-on-write; of its "
          + String(created - 1) + " others " + String(scheduler.childrenExited) + " exited, "
          + String(scheduler.childrenKilled) + " were killed")
    }
    if let timerBefore, let timer = EventTimer.local {
      ProcessConsole.line(
        process.label + " timer: " + timer.statistics.since(timerBefore).description)
    }
    return process.end!.shellStatus
  }

  /// A new program's first trap frame: its entry point and stack, every register zero.
  static func firstFrame(_ entry: UInt64, _ stackPointer: UInt64) -> TrapFrame {
    var frame = TrapFrame()
    frame.rip = entry
    frame.cs = UInt64(SegmentSelector.userCode)
    frame.rflags = initialUserFlags
    frame.rsp = stackPointer
    frame.ss = UInt64(SegmentSelector.userData)
    return frame
  }

  /// Records the running process's resident frames if they are its most so far.
  static func samplePeakResidency() {
    guard let process = current, let space = process.addressSpace else { return }
    process.peakResidentFrames = max(process.peakResidentFrames, space.residentFrames)
  }

  /// The exit line with the process's memory figures.
  static func report(_ process: UserProcess, _ end: ProcessEnd, ranFor ticks: UInt64) {
    // No space: execve failed after letting the old one go.
    let faults = process.addressSpace?.resolvedFaults ?? process.faultsAtEnd
    let resident = process.addressSpace?.residentFrames ?? 0
    let kibPerFrame = PageSize.size4KiB.bytes / 1024
    let microsecond: UInt64 = 1000
    let figures =
      String(faults) + " demand faults, peak " + String(process.peakResidentFrames)
      + " frames (" + String(process.peakResidentFrames * kibPerFrame) + " KiB) resident, "
      + String(resident) + " at exit; "
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
    let slotsInUse = SwapService.slotsInUse(physical)
    SwapService.report(physical)
    if free == expected && committed == 0 && slotsInUse == 0 {
      ProcessConsole.line(
        process.label + " frames back to baseline: " + String(free) + " free; kernel heap "
          + String(MemoryManager.heapFramesTaken) + " frames")
    } else if slotsInUse != 0 {
      accountingClean = false
      ProcessConsole.line(
        "FRAME ACCOUNTING MISMATCH after " + process.label + ": " + String(slotsInUse)
          + " swap slots still in use")
    } else {
      accountingClean = false
      ProcessConsole.line(
        "FRAME ACCOUNTING MISMATCH after " + process.label + ": " + String(free)
          + " free, expected " + String(expected) + "; commit still charged "
          + String(committed))
    }
  }
}
