/// Resource limits and usage: `getrlimit`, `setrlimit`, `prlimit64` over the process's
/// `ResourceLimits`, and `getrusage`, `times`, `sysinfo`.
enum ResourceCalls {
  /// `RUSAGE_SELF`, `RUSAGE_THREAD`, `RUSAGE_CHILDREN` (-1).
  static let usageSelf: UInt64 = 0
  static let usageThread: UInt64 = 1
  static let usageChildren: UInt64 = ~0
  /// `USER_HZ`: the clock ticks of `times` (and of `AT_CLKTCK`).
  static let clockTicksPerSecond: UInt64 = 100
  /// `sysinfo.procs`: the processes that exist (live and zombie).
  static var processCount: UInt16 { UInt16(Scheduler.shared.table.processes.count) }

  static var process: UserProcess { ProcessRunner.current! }

  /// `getrlimit(resource, rlim)`.
  static func getrlimit(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try copyOut(try process.limits.limit(call.a0), to: call.a1)
    return 0
  }

  /// `setrlimit(resource, rlim)`: the new limit is read first (EFAULT), then checked.
  static func setrlimit(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let limit = try copyIn(from: call.a1)
    try process.limits.setLimit(call.a0, limit)
    return 0
  }

  /// `prlimit64(pid, resource, new, old)`: for the process itself (pid 0 or its own), else
  /// ESRCH; `old` gets the limit from before `new` is set.
  static func prlimit64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let new: ResourceLimits.Limit? = call.a2 != 0 ? try copyIn(from: call.a2) : nil
    guard call.a0 == 0 || call.a0 == process.id else { throw .ESRCH }
    let old = try process.limits.limit(call.a1)
    if let new { try process.limits.setLimit(call.a1, new) }
    if call.a3 != 0 { try copyOut(old, to: call.a3) }
    return 0
  }

  /// `getrusage`: the CPU times (`ProcessTimes`), `ru_minflt` (the demand faults the page trap
  /// resolved) and `ru_maxrss` (the peak of backed frames, in KiB); for children, the CPU times
  /// of the reaped ones (`WaitCalls.reap`).
  static func getrusage(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 == usageSelf || call.a0 == usageThread || call.a0 == usageChildren else {
      throw .EINVAL
    }
    let space = process.addressSpace!
    let own = call.a0 != usageChildren
    let kibPerFrame = PageSize.size4KiB.bytes / 1024
    let times = ProcessTimes(of: process)
    try UserMemory.copyOut(
      LinuxStructures.rusage(
        minorFaults: own ? space.resolvedFaults : 0,
        maximumResidentKiB: own ? process.peakResidentFrames * kibPerFrame : 0,
        userNanoseconds: own ? times.userNanoseconds : process.reapedChildrenUserNanoseconds,
        systemNanoseconds: own
          ? times.systemNanoseconds : process.reapedChildrenSystemNanoseconds),
      to: call.a1)
    return 0
  }

  /// `times(buf)`: the CPU times in clock ticks; returns the clock ticks since boot (Linux
  /// counts from an arbitrary point, jiffies' start five minutes before wrapping).
  static func times(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    if call.a0 != 0 {
      let times = ProcessTimes(of: process)
      try UserMemory.copyOut(
        LinuxStructures.tms(
          userTicks: ticks(times.userNanoseconds), systemTicks: ticks(times.systemNanoseconds)),
        to: call.a0)
    }
    return ticks(MonotonicClock.nanoseconds())
  }

  /// `sysinfo(info)`: uptime (whole seconds, rounded up as Linux does), RAM from the frame
  /// bitmap in bytes, the swap area's usable and free slots in bytes (as /proc/meminfo's
  /// SwapTotal / SwapFree), the processes.
  static func sysinfo(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let bitmap = MemoryManager.bitmap!
    let frameBytes = PageSize.size4KiB.bytes
    let perSecond = LinuxStructures.nanosecondsPerSecond
    let uptime = (MonotonicClock.nanoseconds() + perSecond - 1) / perSecond
    let slots = MemoryManager.physical?.swap?.slots
    try UserMemory.copyOut(
      LinuxStructures.sysinfo(
        uptimeSeconds: uptime, totalBytes: bitmap.usableFrameCount * frameBytes,
        freeBytes: bitmap.freeFrameCount * frameBytes, processes: processCount,
        totalSwapBytes: UInt64(slots?.usableSlots ?? 0) * frameBytes,
        freeSwapBytes: UInt64(slots?.freeSlots ?? 0) * frameBytes),
      to: call.a0)
    return 0
  }

  static func ticks(_ nanoseconds: UInt64) -> UInt64 {
    nanoseconds / (LinuxStructures.nanosecondsPerSecond / clockTicksPerSecond)
  }

  static func copyIn(from address: UInt64) throws(LinuxErrno) -> ResourceLimits.Limit {
    ResourceLimits.Limit(
      soft: try UserMemory.readWord(at: address), hard: try UserMemory.readWord(at: address + 8))
  }

  static func copyOut(_ limit: ResourceLimits.Limit, to address: UInt64) throws(LinuxErrno) {
    try UserMemory.copyOut(
      LinuxStructures.littleEndian(limit.soft) + LinuxStructures.littleEndian(limit.hard),
      to: address)
  }
}
