import KernelSupport

/// Process-level calls: exit, thread pointer, identity, time, resources, randomness (signals:
/// SignalCalls).
enum ProcessCalls {
  /// `arch_prctl` codes (asm/prctl.h).
  static let setGS: UInt64 = 0x1001
  static let setFS: UInt64 = 0x1002
  static let getFS: UInt64 = 0x1003
  static let getGS: UInt64 = 0x1004
  /// IA32_GS_BASE (the kernel never uses GS, so no SWAPGS is needed).
  static let gsBaseRegister: UInt32 = 0xc000_0101
  /// The highest clock ID answered (`CLOCK_BOOTTIME`); all read the monotonic clock.
  static let highestClock: UInt64 = 7
  /// `RUSAGE_SELF`, `RUSAGE_THREAD`, `RUSAGE_CHILDREN` (-1).
  static let usageSelf: UInt64 = 0
  static let usageThread: UInt64 = 1
  static let usageChildren: UInt64 = ~0
  /// `GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE`.
  static let randomFlags: UInt64 = 0x7
  /// `RLIM_INFINITY`, `RLIMIT_STACK`, `RLIM_NLIMITS`.
  static let unlimited: UInt64 = ~0
  static let stackLimit: UInt64 = 3
  static let limitCount: UInt64 = 16

  /// `exit` / `exit_group`: the status's low byte ends the process.
  static func exit(_ call: SystemCallArguments) -> Never {
    user_mode_leave(ProcessEnd.exited(UInt8(truncatingIfNeeded: call.a0)).encoded)
  }

  static func archPrctl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let process = ProcessRunner.current!
    switch call.a0 {
    case setFS, setGS:
      guard call.a1 < UserLayout.end else { throw .EPERM }
      if call.a0 == setFS {
        process.fsBase = call.a1
        UserMode.setFSBase(call.a1)
      } else {
        model_specific_register_write(gsBaseRegister, call.a1)
      }
      return 0
    case getFS:
      try UserMemory.copyOut(LinuxStructures.littleEndian(process.fsBase), to: call.a1)
      return 0
    case getGS:
      let base = model_specific_register_read(gsBaseRegister)
      try UserMemory.copyOut(LinuxStructures.littleEndian(base), to: call.a1)
      return 0
    default: throw .EINVAL
    }
  }

  static func clockGettime(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 <= highestClock else { throw .EINVAL }
    try UserMemory.copyOut(
      LinuxStructures.timespec(nanoseconds: MonotonicClock.nanoseconds()), to: call.a1)
    return 0
  }

  /// `gettimeofday(tv, tz)`: the monotonic clock as a `timeval`; a timezone is all zeros.
  static func gettimeofday(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let timezoneSize = 8
    if call.a0 != 0 {
      try UserMemory.copyOut(
        LinuxStructures.timeval(nanoseconds: MonotonicClock.nanoseconds()), to: call.a0)
    }
    if call.a1 != 0 {
      try UserMemory.copyOut([UInt8](repeating: 0, count: timezoneSize), to: call.a1)
    }
    return 0
  }

  /// `time(tloc)`: seconds of the monotonic clock.
  static func time(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let seconds = MonotonicClock.nanoseconds() / LinuxStructures.nanosecondsPerSecond
    if call.a0 != 0 { try UserMemory.copyOut(LinuxStructures.littleEndian(seconds), to: call.a0) }
    return seconds
  }

  /// `sched_getaffinity(pid, size, mask)`: one CPU. Returns the bytes written (one word).
  static func schedGetaffinity(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let maskBytes: UInt64 = 8
    guard call.a0 == 0 || call.a0 == ProcessRunner.current!.id else { throw .ESRCH }
    guard call.a1 >= maskBytes, call.a1 % maskBytes == 0 else { throw .EINVAL }
    try UserMemory.copyOut(LinuxStructures.littleEndian(1), to: call.a2)
    return maskBytes
  }

  static func clockGetres(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 <= highestClock else { throw .EINVAL }
    if call.a1 != 0 {
      try UserMemory.copyOut(LinuxStructures.timespec(nanoseconds: 1), to: call.a1)
    }
    return 0
  }

  /// `getrusage`: `ru_minflt` counts the demand faults the page trap resolved; `ru_maxrss` is
  /// the peak of backed frames, in KiB.
  static func getrusage(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 == usageSelf || call.a0 == usageThread || call.a0 == usageChildren else {
      throw .EINVAL
    }
    let space = MemoryManager.currentAddressSpace!
    let own = call.a0 != usageChildren
    let kibPerFrame = PageSize.size4KiB.bytes / 1024
    try UserMemory.copyOut(
      LinuxStructures.rusage(
        minorFaults: own ? space.resolvedFaults : 0,
        maximumResidentKiB: own ? ProcessRunner.current!.peakResidentFrames * kibPerFrame : 0),
      to: call.a1)
    return 0
  }

  static func uname(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try UserMemory.copyOut(
      LinuxStructures.utsname(
        system: "Linux", node: "swift-kernel", release: "6.1.0-swift",
        version: "#1 Embedded Swift memory-manager kernel", machine: "x86_64"), to: call.a0)
    return 0
  }

  static func getrandom(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a2 & ~randomFlags == 0 else { throw .EINVAL }
    guard UserPointer.isValid(call.a0, length: call.a1) else { throw .EFAULT }
    var done: UInt64 = 0
    while done < call.a1 {
      let chunk = min(call.a1 - done, 8)
      var word = RandomSource.next()
      try UserMemory.copyOut(
        withUnsafeBytes(of: &word) { $0.baseAddress! }, count: Int(chunk), to: call.a0 + done)
      done += chunk
    }
    return done
  }

  /// `prlimit64(pid, resource, new, old)`: reports no limits but the 8 MiB stack; ignores new.
  static func prlimit64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a0 == 0 || call.a0 == ProcessRunner.current!.id else { throw .ESRCH }
    guard call.a1 < limitCount else { throw .EINVAL }
    if call.a3 != 0 {
      let current = call.a1 == stackLimit ? UserLayout.defaultStackSize : unlimited
      try UserMemory.copyOut(
        LinuxStructures.littleEndian(current) + LinuxStructures.littleEndian(unlimited),
        to: call.a3)
    }
    return 0
  }
}
