import KernelSupport

/// Runs the programs handed to the kernel as Multiboot modules, one after another, each in a
/// clean address space, and checks after each that every frame came back.
///
/// A module's string is its command line: `-initrd "prog a b,prog2"` runs `prog` with
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

  /// The process running now, or nil.
  nonisolated(unsafe) static var current: UserProcess? = nil
  /// Commit accounting for every process's reservations.
  nonisolated(unsafe) static var commit = CommitLedger(limit: 0)
  /// Where processes' frames and page tables come from.
  nonisolated(unsafe) static var frames = MemoryManager.frames
  /// The shared frame of zeros first reads map.
  nonisolated(unsafe) static var zeroPage: PhysicalFrame? = nil
  nonisolated(unsafe) static var nextID: UInt64 = 1
  /// Whether every process so far gave back every frame.
  nonisolated(unsafe) static var accountingClean = true

  /// One-time set-up: SYSCALL, SSE for ring 3, TSS.RSP0, the zero page, the commit limit, the
  /// clocks and the timer interrupt.
  static func prepare() {
    UserMode.install()
    EventTimer.start()  // calibrates the TSC and the local APIC timer, starts the tick
    _ = WallClock.boot  // the RTC, read once the TSC is calibrated
    frames = MemoryManager.frames
    if zeroPage == nil {
      zeroPage = frames.allocateFrame()
      DirectMap().zero(zeroPage!)
      let free = MemoryManager.bitmap!.freeFrameCount
      commit = CommitLedger(limit: free > kernelReserveFrames ? free - kernelReserveFrames : 0)
    }
  }

  /// Runs every module in order. Returns whether frame accounting was clean after each.
  static func runAll(_ modules: [MultibootInformation.Module]) -> Bool {
    prepare()
    for module in modules { run(module) }
    return accountingClean
  }

  /// Runs one program to its end.
  static func run(_ module: MultibootInformation.Module) {
    let arguments = module.name.split(separator: " ").map { String($0) }
    let process = UserProcess(
      id: nextID, name: arguments.first ?? "?",
      usableFrames: MemoryManager.bitmap!.usableFrameCount)
    nextID += 1
    let freeBefore = MemoryManager.bitmap!.freeFrameCount
    let heapBefore = MemoryManager.heapFramesTaken
    let kernelSpace = MemoryManager.currentAddressSpace
    ProcessConsole.line(process.label + " started: " + module.name)
    let status = start(process, module: module, arguments: arguments)
    finish(process, kernelSpace: kernelSpace)
    let heapGrowth = MemoryManager.heapFramesTaken - heapBefore
    checkFrames(process, expected: freeBefore - heapGrowth)
    ProcessConsole.line("exit-status " + String(status))
  }

  /// Loads and enters the program; returns its shell status.
  static func start(
    _ process: UserProcess, module: MultibootInformation.Module, arguments: [String]
  ) -> UInt64 {
    let bytes = UnsafeRawBufferPointer(
      start: DirectMap.pointer(PhysicalAddress(module.range.start)!),
      count: Int(module.range.length))
    let start: (entry: UInt64, stackPointer: UInt64)
    do {
      start = try ProgramLoader.load(ELFBytes(bytes), arguments: arguments)
    } catch {
      ProcessConsole.line(process.label + " not started: " + error.description)
      return notExecutableStatus
    }
    current = process
    UserMode.setFSBase(0)
    user_fpu_state_reset()
    process.enteredAt = timestamp_counter_read()
    let timerBefore = EventTimer.local?.statistics
    let end = ProcessEnd(encoded: user_mode_enter(start.entry, start.stackPointer))
    let ranFor = timestamp_counter_read() &- process.enteredAt
    samplePeakResidency()
    current = nil
    report(process, end, ranFor: ranFor)
    if let timerBefore, let timer = EventTimer.local {
      ProcessConsole.line(
        process.label + " timer: " + timer.statistics.since(timerBefore).description)
    }
    return end.shellStatus
  }

  /// Records the running process's resident frames if they are its most so far.
  static func samplePeakResidency() {
    guard let process = current, let space = MemoryManager.currentAddressSpace else { return }
    process.peakResidentFrames = max(process.peakResidentFrames, space.residentFrames)
  }

  /// The exit line with the process's memory figures.
  static func report(_ process: UserProcess, _ end: ProcessEnd, ranFor ticks: UInt64) {
    let space = MemoryManager.currentAddressSpace!
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
  static func finish(_ process: UserProcess, kernelSpace: AddressSpace<DirectMap, HardwareTLB>?) {
    KernelAddressSpace.activate(MemoryManager.kernelMap!)
    if var space = MemoryManager.currentAddressSpace,
      space.pageMap.root != MemoryManager.kernelMap!.root
    {
      checkCommit(of: space, process)
      space.tearDown(commit: &commit, frames: &frames)
    }
    MemoryManager.currentAddressSpace = kernelSpace
    UserMode.setFSBase(0)
  }

  /// The commit invariant at exit (`AddressSpace.commitAudit`): every region with pages was
  /// charged its worst case. A broken one is reported like a frame mismatch and fails the run.
  static func checkCommit(of space: AddressSpace<DirectMap, HardwareTLB>, _ process: UserProcess) {
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
    if free == expected && commit.committed == 0 {
      ProcessConsole.line(
        process.label + " frames back to baseline: " + String(free) + " free")
    } else {
      accountingClean = false
      ProcessConsole.line(
        "FRAME ACCOUNTING MISMATCH after " + process.label + ": " + String(free)
          + " free, expected " + String(expected) + "; commit still charged "
          + String(commit.committed))
    }
  }
}
