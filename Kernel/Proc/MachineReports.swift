import KernelSupport

/// The machine-wide /proc files from the memory manager (frame bitmap, commit ledger, memory
/// objects), CPUID, the clocks and the process table.
enum MachineReports {
  static let nanosecondsPerHundredth = LinuxStructures.nanosecondsPerSecond / 100
  /// CPUID leaves /proc/cpuinfo reads.
  static let extendedBase: UInt32 = 0x8000_0000
  static let structuredLeaf: UInt32 = 7
  static let xsaveLeaf: UInt32 = 0xd

  static func bytes(of file: ProcSystemFile) -> [UInt8] {
    switch file {
    case .meminfo: return ProcMeminfo.text(memory())
    case .cpuinfo: return ProcCPUInfo.text(cpu())
    case .uptime: return ProcSystemFiles.uptime(system())
    case .loadavg: return ProcSystemFiles.loadavg(system())
    case .stat: return ProcSystemFiles.stat(system())
    case .mounts: return ProcMounts.mounts(SystemTables.mounts)
    case .filesystems: return ProcMounts.filesystems(SystemTables.fileSystems)
    case .vmstat: return ProcVmstat.text(vmstat())
    }
  }

  /// Frames from the bitmap; the page cache and shared memory from the memory objects' resident
  /// pages (Cached = all of them; Shmem = the writable files' and shared anonymous memory's;
  /// a read-only file's are the file lists, active while some process maps them); anonymous
  /// memory as every live process's resident frames that are not its objects' (a frame shared
  /// copy-on-write after fork counts once per process, as Linux's per-process RSS, not as its
  /// AnonPages); Mapped as the processes' mapped object frames (a page mapped by two
  /// processes counts twice, capped by Cached); commit from the ledger.
  static func memory() -> MemoryReport {
    var report = MemoryReport()
    let physical = MemoryManager.physical!
    let bitmap = physical.frames.bitmap
    report.totalPages = bitmap.usableFrameCount
    report.freePages = bitmap.freeFrameCount
    var filePages: UInt64 = 0
    for id in physical.objects.ids {
      let object = physical.objects[id]
      report.cachedPages += object.residentPages
      switch object.kind {
      case .anonymousShared, .file: report.sharedPages += object.residentPages
      case .fileContents: filePages += object.residentPages
      }
    }
    var mapped: UInt64 = 0
    var mappedFile: UInt64 = 0
    for process in Scheduler.shared.table.processes where process.spaceLender == nil {
      guard let space = process.addressSpace else { continue }
      let sizes = ProcessReports.sizes(of: space)
      mapped += sizes.residentFile + sizes.residentShared
      mappedFile += mappedReadOnlyFilePages(of: space)
      report.anonymousPages +=
        sizes.resident - min(sizes.resident, sizes.residentFile + sizes.residentShared)
    }
    report.mappedPages = min(mapped, report.cachedPages)
    report.activeFilePages = min(mappedFile, filePages)
    report.inactiveFilePages = filePages - report.activeFilePages
    // A read-only file's unmapped pages could be given back (dropPageCache) and read again:
    // Linux's reclaimable file pages. Shared memory stays (no swap).
    report.availablePages = report.freePages + report.inactiveFilePages
    report.swapTotalPages = UInt64(physical.swap?.slots.usableSlots ?? 0)  // issue 12
    report.swapFreePages = UInt64(physical.swap?.slots.freeSlots ?? 0)
    report.swapCachedPages = physical.swapCachedFrames
    report.commitLimitPages = physical.commit.limit
    report.committedPages = physical.commit.committed
    return report
  }

  /// `/proc/vmstat`: meminfo's page counts (the same sources, `memory()`) and the swap
  /// area's counters (pages read and written, the swap cache, read-ahead and its hits).
  static func vmstat() -> VMStatReport {
    let memory = memory()
    var report = VMStatReport()
    report.freePages = memory.freePages
    report.activeAnonPages = memory.anonymousPages
    report.inactiveAnonPages = memory.sharedPages
    report.activeFilePages = memory.activeFilePages
    report.inactiveFilePages = memory.inactiveFilePages
    report.anonymousPages = memory.anonymousPages
    report.mappedPages = memory.mappedPages
    report.filePages = memory.cachedPages + memory.swapCachedPages
    report.sharedPages = memory.sharedPages
    report.pageTablePages = memory.pageTablePages
    report.swapCachedPages = memory.swapCachedPages
    if let swap = MemoryManager.physical?.swap {
      report.pagesSwappedIn = swap.pagesRead
      report.pagesSwappedOut = swap.pagesWritten
      report.swapReadAhead = swap.readAheadPages
      report.swapReadAheadHits = swap.readAheadHits
    }
    return report
  }

  /// The resident pages of read-only files' page cache that `space` maps.
  static func mappedReadOnlyFilePages(of space: ProcessAddressSpace) -> UInt64 {
    var pages: UInt64 = 0
    for region in space.regions {
      guard let object = region.object,
        case .fileContents = space.physical.objects[object].kind
      else { continue }
      pages += space.residentObjectPages(of: region)
    }
    return pages
  }

  static func leaf(_ number: UInt32, _ subleaf: UInt32 = 0) -> CPUIDResult {
    let result = cpu_identify(number, subleaf)
    return CPUIDResult(eax: result.eax, ebx: result.ebx, ecx: result.ecx, edx: result.edx)
  }

  /// CPUID's answers, the extended leaves only as far as the CPU has them.
  static func cpu() -> CPUReport {
    var leaves = CPUReport.Leaves()
    leaves.basic = leaf(0)
    leaves.features = leaf(1)
    if leaves.basic.eax >= structuredLeaf { leaves.structured = leaf(structuredLeaf) }
    if leaves.basic.eax >= xsaveLeaf { leaves.xsave = leaf(xsaveLeaf, 1) }
    leaves.extendedMaximum = leaf(extendedBase)
    let highest = leaves.extendedMaximum.eax
    if highest >= extendedBase + 1 { leaves.extendedFeatures = leaf(extendedBase + 1) }
    if highest >= extendedBase + 4 { leaves.brand = (2...4).map { leaf(extendedBase + $0) } }
    if highest >= extendedBase + 6 { leaves.cache = leaf(extendedBase + 6) }
    if highest >= extendedBase + 8 { leaves.addressSizes = leaf(extendedBase + 8) }
    return CPUReport(leaves, kilohertz: MonotonicClock.tscRate.perSecond / 1000)
  }

  /// Uptime from the monotonic clock; CPU time as the live processes' (user, system) with the
  /// rest of the uptime idle; no load average is kept (0.00); switches from the scheduler.
  static func system() -> SystemReport {
    var report = SystemReport()
    let now = MonotonicClock.nanoseconds()
    report.uptimeHundredths = now / nanosecondsPerHundredth
    let table = Scheduler.shared.table
    var user: UInt64 = 0
    var system: UInt64 = 0
    for process in table.processes where !process.isZombie {
      let times = ProcessTimes(of: process)
      user += times.userNanoseconds
      system += times.systemNanoseconds
      report.tasks += UInt64(process.threads.count)
      report.running += UInt64(
        process.threads.count { $0.state == .running || $0.state == .runnable })
    }
    report.userTicks = ProcessReports.clockTicks(user)
    report.systemTicks = ProcessReports.clockTicks(system)
    let busy = report.userTicks + report.systemTicks
    let uptimeTicks = ProcessReports.clockTicks(now)
    report.idleTicks = uptimeTicks - min(uptimeTicks, busy)
    report.idleHundredths = report.idleTicks * 100 / ProcessReports.ticksPerSecond
    report.contextSwitches = Scheduler.shared.switches
    report.bootTime = WallClock.boot.epochNanoseconds / LinuxStructures.nanosecondsPerSecond
    report.processesCreated = table.nextID - 1
    report.lastID = table.nextID - 1
    return report
  }
}
