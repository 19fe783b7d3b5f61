import KernelSupport

/// Process-level calls: exit, thread pointer, identity, randomness (time is in `TimeCalls`,
/// limits and usage in `ResourceCalls`, signals in `SignalCalls`).
enum ProcessCalls {
  /// `arch_prctl` codes (asm/prctl.h).
  static let setGS: UInt64 = 0x1001
  static let setFS: UInt64 = 0x1002
  static let getFS: UInt64 = 0x1003
  static let getGS: UInt64 = 0x1004
  /// IA32_GS_BASE (the kernel never uses GS, so no SWAPGS is needed).
  static let gsBaseRegister: UInt32 = 0xc000_0101
  /// `GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE`; `GRND_RANDOM` and `GRND_INSECURE` together
  /// are EINVAL (blocking and insecure at once make no sense).
  static let randomFlags: UInt32 = 0x7
  static let randomBlocking: UInt32 = 0x2
  static let randomInsecure: UInt32 = 0x4

  /// `exit_group`: the status's low byte ends the process (every thread); `exit` ends the
  /// calling thread only, the process with its last thread (`ThreadExit.exit`).
  static func exit(_ call: SystemCallArguments) -> Never {
    let status = UInt8(truncatingIfNeeded: call.a0)
    if call.number == SystemCallNumber.exit { ThreadExit.exit(status: status) }
    ProcessExit.end(ProcessRunner.current!, .exited(status))
  }

  static func archPrctl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let thread = Processor.current.thread
    switch call.a0 {
    case setFS, setGS:
      guard call.a1 < UserLayout.end else { throw .EPERM }
      if call.a0 == setFS {
        thread.user.fsBase = call.a1
        UserMode.setFSBase(call.a1)
      } else {
        thread.user.gsBase = call.a1
        model_specific_register_write(gsBaseRegister, call.a1)
      }
      return 0
    case getFS:
      try UserMemory.copyOut(LinuxStructures.littleEndian(thread.user.fsBase), to: call.a1)
      return 0
    case getGS:
      let base = model_specific_register_read(gsBaseRegister)
      try UserMemory.copyOut(LinuxStructures.littleEndian(base), to: call.a1)
      return 0
    default: throw .EINVAL
    }
  }

  /// `sched_getaffinity(pid, size, mask)`: one CPU. Returns the bytes written (one word).
  static func schedGetaffinity(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let maskBytes: UInt64 = 8
    guard call.a0 == 0 || call.a0 == ProcessRunner.current!.id else { throw .ESRCH }
    guard call.a1 >= maskBytes, call.a1 % maskBytes == 0 else { throw .EINVAL }
    try UserMemory.copyOut(LinuxStructures.littleEndian(1), to: call.a2)
    return maskBytes
  }

  static func uname(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try UserMemory.copyOut(
      LinuxStructures.utsname(
        system: systemName, node: nodeName, release: release, version: version,
        machine: "x86_64"), to: call.a0)
    return 0
  }

  /// What `uname` and /proc/sys/kernel/{ostype,hostname,osrelease,version} say.
  static let systemName = "Linux"
  static let nodeName = "swift-kernel"
  static let release = "6.1.0-swift"
  static let version = "#1 Embedded Swift memory-manager kernel"

  /// `getrandom(buf, len, flags)`: `flags` is an `unsigned int`; `len` is capped as a read's.
  /// The bytes go out in pieces that never cross a page, so a buffer that runs into an
  /// unmapped page gets the bytes before it and the call returns their count, as Linux's
  /// `copy_to_iter` does.
  static func getrandom(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let flags = UInt32(truncatingIfNeeded: call.a2)
    let contradictory = randomBlocking | randomInsecure
    guard flags & ~randomFlags == 0, flags & contradictory != contradictory else {
      throw .EINVAL
    }
    let length = min(call.a1, UserPointer.maximumTransfer)
    guard UserPointer.passesAccessCheck(call.a0, length: length) else { throw .EFAULT }
    let pageBytes = PageSize.size4KiB.bytes
    var done: UInt64 = 0
    while done < length {
      let address = call.a0 + done
      let chunk = min(length - done, 8, pageBytes - address % pageBytes)
      var word = Machine.current.random.next()
      do {
        try UserMemory.copyOut(
          withUnsafeBytes(of: &word) { $0.baseAddress! }, count: Int(chunk), to: address)
      } catch {
        if done == 0 { throw error }
        return done
      }
      done += chunk
    }
    return done
  }
}
