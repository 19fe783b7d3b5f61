/// The clocks: `clock_gettime`, `clock_getres`, `gettimeofday`, `time`, and the clock side of
/// `clock_nanosleep`. Every clock Linux 6.1 answers is answered (checked against it under
/// tools/run-linux): the wall clocks (`CLOCK_REALTIME` and its coarse, alarm and TAI
/// variants, all the RTC time at boot plus the monotonic time since, `WallClock`), the
/// monotonic ones (monotonic, raw, coarse, boot time and its alarm: the TSC since reset, there
/// is no suspend), and the CPU-time clocks (`ProcessTimes`), including the negative IDs
/// `clock_getcpuclockid` makes for the process itself. ID 10 (the removed `CLOCK_SGI_CYCLE`)
/// and above 11 are EINVAL, as on Linux.
enum TimeCalls {
  /// Clock IDs (include/uapi/linux/time.h).
  enum Clock {
    static let realtime: Int32 = 0
    static let monotonic: Int32 = 1
    static let processCPUTime: Int32 = 2
    static let threadCPUTime: Int32 = 3
    static let monotonicRaw: Int32 = 4
    static let realtimeCoarse: Int32 = 5
    static let monotonicCoarse: Int32 = 6
    static let boottime: Int32 = 7
    static let realtimeAlarm: Int32 = 8
    static let boottimeAlarm: Int32 = 9
    static let tai: Int32 = 11
  }

  /// A negative clock ID is a CPU-time clock of a pid or tid: `~pid << 3 | per-thread << 2 |
  /// which`, where which is PROF (user + system), VIRT (user) or SCHED (the scheduler's
  /// runtime; here user + system too). Which = 3 is invalid.
  static let cpuClockWhichMask: Int32 = 3
  static let cpuClockPerThread: Int32 = 4
  static let cpuClockPIDShift: Int32 = 3
  static let cpuClockVirtual: Int32 = 1
  static let cpuClockScheduler: Int32 = 2
  static let cpuClockInvalid: Int32 = 3

  /// Linux's `TICK_NSEC` with Debian's HZ = 250: the resolution it reports for the coarse
  /// clocks and the PROF / VIRT CPU clocks.
  static let tickNanoseconds: UInt64 = 4_000_000
  /// What the high-resolution clocks report (`hrtimer_resolution`).
  static let highResolution: UInt64 = 1

  /// What a clock reads.
  enum Source: Equatable {
    case wall, monotonic, processCPU, userCPU
  }

  /// The source of clock `id` (a `clockid_t`: the upper half of the register is ignored),
  /// and its resolution; EINVAL for an unknown clock or another process's CPU clock.
  static func clock(_ id: UInt64) throws(LinuxErrno) -> (source: Source, resolution: UInt64) {
    let clock = Int32(truncatingIfNeeded: id)
    switch clock {
    case Clock.realtime, Clock.realtimeAlarm, Clock.tai: return (.wall, highResolution)
    case Clock.realtimeCoarse: return (.wall, tickNanoseconds)
    case Clock.monotonic, Clock.monotonicRaw, Clock.boottime, Clock.boottimeAlarm:
      return (.monotonic, highResolution)
    case Clock.monotonicCoarse: return (.monotonic, tickNanoseconds)
    case Clock.processCPUTime, Clock.threadCPUTime: return (.processCPU, highResolution)
    case ..<0: return try cpuClock(clock)
    default: throw .EINVAL
    }
  }

  /// A dynamic CPU-time clock: only the process's own (pid 0 or its pid; its one thread).
  static func cpuClock(_ clock: Int32) throws(LinuxErrno) -> (source: Source, resolution: UInt64) {
    let which = clock & cpuClockWhichMask
    let pid = UInt64(UInt32(bitPattern: ~(clock >> cpuClockPIDShift)))
    guard which != cpuClockInvalid, pid == 0 || pid == ProcessRunner.current!.id else {
      throw .EINVAL
    }
    switch which {
    case cpuClockScheduler: return (.processCPU, highResolution)
    case cpuClockVirtual: return (.userCPU, tickNanoseconds)
    default: return (.processCPU, tickNanoseconds)
    }
  }

  /// Nanoseconds on `source` now.
  static func now(_ source: Source) -> UInt64 {
    switch source {
    case .wall: return WallClock.nanoseconds()
    case .monotonic: return MonotonicClock.nanoseconds()
    case .processCPU: return ProcessTimes(of: ProcessRunner.current!).totalNanoseconds
    case .userCPU: return ProcessTimes(of: ProcessRunner.current!).userNanoseconds
    }
  }

  static func clockGettime(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let source = try clock(call.a0).source
    try UserMemory.copyOut(LinuxStructures.timespec(nanoseconds: now(source)), to: call.a1)
    return 0
  }

  static func clockGetres(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let resolution = try clock(call.a0).resolution
    if call.a1 != 0 {
      try UserMemory.copyOut(LinuxStructures.timespec(nanoseconds: resolution), to: call.a1)
    }
    return 0
  }

  /// `gettimeofday(tv, tz)`: the wall clock as a `timeval`; a timezone is all zeros (UTC).
  static func gettimeofday(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let timezoneSize = 8
    if call.a0 != 0 {
      try UserMemory.copyOut(
        LinuxStructures.timeval(nanoseconds: WallClock.nanoseconds()), to: call.a0)
    }
    if call.a1 != 0 {
      try UserMemory.copyOut([UInt8](repeating: 0, count: timezoneSize), to: call.a1)
    }
    return 0
  }

  /// `time(tloc)`: seconds of the wall clock.
  static func time(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let seconds = WallClock.nanoseconds() / LinuxStructures.nanosecondsPerSecond
    if call.a0 != 0 { try UserMemory.copyOut(LinuxStructures.littleEndian(seconds), to: call.a0) }
    return seconds
  }
}
