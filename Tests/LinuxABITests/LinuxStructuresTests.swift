import Testing

@testable import LinuxABI

/// The byte images of the structures the resource and time calls fill in, at the offsets
/// `offsetof` gives on x86-64 Linux.
@Suite struct LinuxStructuresTests {
  func word(_ image: [UInt8], at offset: Int) -> UInt64 {
    (0..<8).reduce(0) { $0 | UInt64(image[offset + $1]) << (8 * UInt64($1)) }
  }

  @Test func rusageCarriesTheCPUTimesAsTimevals() {
    let image = LinuxStructures.rusage(
      minorFaults: 3, maximumResidentKiB: 40, userNanoseconds: 2_500_000_123,
      systemNanoseconds: 7_000)
    #expect(image.count == LinuxStructures.rusageSize)
    #expect(word(image, at: 0) == 2)
    #expect(word(image, at: 8) == 500_000)
    #expect(word(image, at: 16) == 0)
    #expect(word(image, at: 24) == 7)
    #expect(word(image, at: LinuxStructures.rusageMaxResidentOffset) == 40)
    #expect(word(image, at: LinuxStructures.rusageMinorFaultsOffset) == 3)
  }

  @Test func sysinfoLaysOutRAMProcessesAndUnit() {
    let image = LinuxStructures.sysinfo(
      uptimeSeconds: 9, totalBytes: 1 << 30, freeBytes: 1 << 29, processes: 0x102)
    #expect(image.count == 112)
    #expect(word(image, at: 0) == 9)
    #expect(word(image, at: 32) == 1 << 30)
    #expect(word(image, at: 40) == 1 << 29)
    #expect(image[80] == 2 && image[81] == 1)
    #expect(image[104] == 1)
  }

  @Test func sysinfoLaysOutSwap() {
    // busybox `free` and swap-full read the swap area from here (issue 12 §6).
    let image = LinuxStructures.sysinfo(
      uptimeSeconds: 1, totalBytes: 1 << 27, freeBytes: 1 << 26, processes: 1,
      totalSwapBytes: 1 << 30, freeSwapBytes: 3 << 28)
    #expect(word(image, at: 64) == 1 << 30)
    #expect(word(image, at: 72) == 3 << 28)
    #expect(word(image, at: 32) == 1 << 27 && word(image, at: 40) == 1 << 26)
  }

  @Test func tmsHasNoChildrenTimes() {
    let image = LinuxStructures.tms(userTicks: 5, systemTicks: 6)
    #expect(image.count == 32)
    #expect(word(image, at: 0) == 5 && word(image, at: 8) == 6)
    #expect(word(image, at: 16) == 0 && word(image, at: 24) == 0)
  }
}
