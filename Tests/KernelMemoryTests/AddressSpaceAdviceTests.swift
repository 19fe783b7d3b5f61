import KernelMemory
import KernelMemoryEmulation
import Testing

/// `discard` (`madvise(MADV_DONTNEED)`): dropped pages read back as zero, the region stays.
@Suite struct AddressSpaceAdviceTests {
  let page = PageSize.size4KiB.bytes

  @Test func discardedPagesReadBackAsZeroAndReturnTheirFrames() throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 8 * page, protection: [.read, .write])
    for index in 0..<8 { machine.touch(range.start + UInt64(index) * page, .write, value: 7) }
    let committed = machine.commit.committed
    let dropped = VirtualRange(uncheckedStart: range.start + 2 * page, end: range.start + 6 * page)
    try machine.space.discard(dropped)
    #expect(machine.space.residentFrames == 4)
    #expect(machine.commit.committed == committed)
    #expect(machine.readByte(range.start + 3 * page) == 0)
    #expect(machine.readByte(range.start + 1 * page) == 7)
    #expect(machine.readByte(range.start + 6 * page) == 7)
    #expect(machine.touch(range.start + 3 * page, .write, value: 9) == .completed)
    #expect(machine.readByte(range.start + 3 * page) == 9)
    #expect(machine.tearDownIsClean())
  }

  @Test func discardingAHoleReportsNotReservedButDropsTheRest() throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 2 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    machine.touch(range.start, .write, value: 1)
    let wider = VirtualRange(uncheckedStart: range.start, end: range.end + page)
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.discard(wider)
    }
    #expect(machine.space.residentFrames == 0)
    #expect(!machine.space.isReserved(wider))
    #expect(machine.space.isReserved(range))
    #expect(machine.tearDownIsClean())
  }
}

/// `permits`: what the kernel checks before copying to or from user memory.
@Suite struct AddressSpaceAccessTests {
  let page = PageSize.size4KiB.bytes

  @Test func permitsFollowsRegionsAndProtection() throws {
    let machine = TestMachine()
    let base: UInt64 = 0x40_0000
    _ = try machine.space.reserve(
      length: 2 * page, protection: [.read, .write], at: .fixed(base))
    _ = try machine.space.reserve(
      length: page, protection: .none, at: .fixed(base + 2 * page))
    #expect(machine.space.permits(.write, start: base + 10, length: 2 * page - 10))
    #expect(!machine.space.permits(.read, start: base + page, length: 2 * page))
    #expect(!machine.space.permits(.execute, start: base, length: 1))
    #expect(!machine.space.permits(.read, start: base - 1, length: 2))
    #expect(!machine.space.permits(.read, start: ~0, length: 2))
    #expect(machine.space.permits(.read, start: 0, length: 0))
    #expect(machine.tearDownIsClean())
  }
}
