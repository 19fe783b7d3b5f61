/// Byte images of the Linux x86-64 structures the system calls fill in, ready to copy out.
public enum LinuxStructures {
  /// `sizeof(struct utsname)` field length (`__NEW_UTS_LEN + 1`).
  public static let utsFieldLength = 65
  /// `struct utsname` has six fields.
  public static let utsFieldCount = 6
  /// `sizeof(struct rusage)` and the offset of `ru_minflt` (after two `timeval`s and four
  /// longs).
  public static let rusageSize = 144
  public static let rusageMinorFaultsOffset = 64
  /// `ru_maxrss` (in KiB) offset.
  public static let rusageMaxResidentOffset = 32
  /// Nanoseconds per second.
  public static let nanosecondsPerSecond: UInt64 = 1_000_000_000

  /// `struct utsname`: sysname, nodename, release, version, machine, domainname.
  public static func utsname(
    system: String, node: String, release: String, version: String, machine: String
  ) -> [UInt8] {
    var image = [UInt8](repeating: 0, count: utsFieldLength * utsFieldCount)
    for (index, text) in [system, node, release, version, machine, "(none)"].enumerated() {
      for (offset, byte) in text.utf8.prefix(utsFieldLength - 1).enumerated() {
        image[index * utsFieldLength + offset] = byte
      }
    }
    return image
  }

  /// `struct timespec` for `nanoseconds`.
  public static func timespec(nanoseconds: UInt64) -> [UInt8] {
    littleEndian(nanoseconds / nanosecondsPerSecond)
      + littleEndian(nanoseconds % nanosecondsPerSecond)
  }

  /// `struct timeval` for `nanoseconds`.
  public static func timeval(nanoseconds: UInt64) -> [UInt8] {
    let nanosecondsPerMicrosecond: UInt64 = 1000
    return littleEndian(nanoseconds / nanosecondsPerSecond)
      + littleEndian(nanoseconds % nanosecondsPerSecond / nanosecondsPerMicrosecond)
  }

  /// `struct rusage` with the CPU times (`ru_utime`, `ru_stime`: `timeval`s at offsets 0 and
  /// 16), the minor-fault count and the peak resident size filled in.
  public static func rusage(
    minorFaults: UInt64, maximumResidentKiB: UInt64, userNanoseconds: UInt64 = 0,
    systemNanoseconds: UInt64 = 0
  ) -> [UInt8] {
    var image = timeval(nanoseconds: userNanoseconds) + timeval(nanoseconds: systemNanoseconds)
    image += [UInt8](repeating: 0, count: rusageSize - image.count)
    store(maximumResidentKiB, at: rusageMaxResidentOffset, in: &image)
    store(minorFaults, at: rusageMinorFaultsOffset, in: &image)
    return image
  }

  /// `sizeof(struct sysinfo)` on x86-64 and its field offsets: `uptime`, `loads[3]`, six RAM
  /// and swap figures, `procs` (a `u16`), then (aligned) `totalhigh`, `freehigh`, `mem_unit`.
  public static let sysinfoSize = 112
  public static let sysinfoTotalRAMOffset = 32
  public static let sysinfoFreeRAMOffset = 40
  public static let sysinfoTotalSwapOffset = 64
  public static let sysinfoFreeSwapOffset = 72
  public static let sysinfoProcessesOffset = 80
  public static let sysinfoMemoryUnitOffset = 104

  /// `struct sysinfo`: uptime in seconds, RAM and swap in bytes (`mem_unit` 1), no load, shared
  /// memory, buffers or high memory. busybox `free` takes its Swap line from here.
  public static func sysinfo(
    uptimeSeconds: UInt64, totalBytes: UInt64, freeBytes: UInt64, processes: UInt16,
    totalSwapBytes: UInt64 = 0, freeSwapBytes: UInt64 = 0
  ) -> [UInt8] {
    var image = [UInt8](repeating: 0, count: sysinfoSize)
    store(uptimeSeconds, at: 0, in: &image)
    store(totalBytes, at: sysinfoTotalRAMOffset, in: &image)
    store(freeBytes, at: sysinfoFreeRAMOffset, in: &image)
    store(totalSwapBytes, at: sysinfoTotalSwapOffset, in: &image)
    store(freeSwapBytes, at: sysinfoFreeSwapOffset, in: &image)
    image[sysinfoProcessesOffset] = UInt8(truncatingIfNeeded: processes)
    image[sysinfoProcessesOffset + 1] = UInt8(truncatingIfNeeded: processes >> 8)
    image[sysinfoMemoryUnitOffset] = 1
    return image
  }

  /// `struct tms { tms_utime; tms_stime; tms_cutime; tms_cstime; }` in clock ticks; a process
  /// without children has no children's times.
  public static func tms(userTicks: UInt64, systemTicks: UInt64) -> [UInt8] {
    littleEndian(userTicks) + littleEndian(systemTicks) + littleEndian(0) + littleEndian(0)
  }

  /// The eight little-endian bytes of `value`.
  public static func littleEndian(_ value: UInt64) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 8)
    store(value, at: 0, in: &bytes)
    return bytes
  }

  static func store(_ value: UInt64, at offset: Int, in image: inout [UInt8]) {
    for byte in 0..<8 {
      image[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
    }
  }
}
