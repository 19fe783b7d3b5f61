import KernelMemory
import KernelMemoryEmulation
import Testing

/// The seed's page trap: panic on kernel faults, lazy backing, kill outside the process.
@Suite struct PageTrapTests {
  let page = PageSize.size4KiB.bytes

  func machineWithRegion(_ protection: Protection, zeroPage: Bool = true) throws -> (
    TestMachine, VirtualRange
  ) {
    let machine = TestMachine(useZeroPage: zeroPage)
    let range = try machine.space.reserve(
      length: 16 * page, protection: protection)
    return (machine, range)
  }

  @Test func kernelFaultsPanic() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    let fault = PageFault(address: range.start, errorCode: [], origin: .kernel)
    #expect(
      machine.space.handlePageFault(fault) == .panic(.kernelFault(fault)))
  }

  @Test func reservedBitFaultsPanicEvenFromUserMode() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    let fault = PageFault(
      address: range.start, errorCode: [.present, .user, .reservedBit], origin: .user)
    #expect(
      machine.space.handlePageFault(fault)
        == .panic(.corruptPageTable(fault)))
  }

  @Test func firstWriteGetsAZeroedFrameWithTheRegionsProtection() throws {
    let (machine, range) = try machineWithRegion([.read, .write], zeroPage: false)
    #expect(machine.touch(range.start + 100, .write, value: 3) == .completed)
    let mapping = try #require(
      machine.space.pageMap.mapping(containing: VirtualAddress(range.start)!))
    #expect(mapping.flags.isSuperset(of: [.present, .user, .writable, .noExecute]))
    #expect(machine.readByte(range.start + 100) == 3)
    #expect(machine.readByte(range.start + 101) == 0)  // zeroed, not the RAM's poison
    #expect(machine.space.residentFrames == 1 && machine.space.resolvedFaults == 1)
  }

  @Test func aReadFaultMapsWithTheRegionsProtectionNotTheAccess() throws {
    let (machine, range) = try machineWithRegion([.read, .write], zeroPage: false)
    #expect(machine.touch(range.start, .read) == .completed)
    #expect(machine.touch(range.start, .write) == .completed)
    #expect(machine.space.resolvedFaults == 1)  // the write did not fault again
  }

  @Test func readsShareTheZeroPageAndAWriteGetsAPrivateCopy() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    for index in 0..<4 { #expect(machine.readByte(range.start + UInt64(index) * page) == 0) }
    #expect(machine.space.residentFrames == 0)
    #expect(machine.touch(range.start + page, .write, value: 8) == .completed)
    #expect(machine.space.residentFrames == 1)
    #expect(machine.readByte(range.start + page) == 8)
    #expect(machine.readByte(range.start) == 0)
    #expect(machine.ram.isZeroed(machine.zeroPage!))
    #expect(machine.mmu.staleEntries().isEmpty)
    #expect(machine.tearDownIsClean())
  }

  @Test func aSecondFaultOnAResolvedPageAllocatesNothing() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    machine.touch(range.start, .write)
    let before = machine.frames.allocations
    let fault = PageFault(address: range.start, errorCode: [.user, .write], origin: .user)
    #expect(
      machine.space.handlePageFault(fault) == .resolved(.alreadyMapped))
    #expect(machine.frames.allocations == before)
  }

  /// The fault path walks once, creating tables on the way: the first touch takes the page
  /// table's ancestors and the frame, a neighbour in the same page table only its frame, a read
  /// nothing at all (the zero page) — and the occupancy counts stay exact.
  @Test func demandFaultsCreateOnlyTheTablesTheyNeed() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    let before = machine.frames.allocations
    #expect(machine.touch(range.start, .write) == .completed)
    let first = machine.frames.allocations - before
    #expect(first >= 2 && first <= 4)  // the frame, a page table, maybe a PD and a PDPT
    #expect(machine.touch(range.start + page, .write) == .completed)
    #expect(machine.frames.allocations - before == first + 1)
    #expect(machine.touch(range.start + 2 * page, .read) == .completed)
    #expect(machine.frames.allocations - before == first + 1)
    #expect(machine.space.pageMap.occupancyCountsAreConsistent())
    #expect(machine.space.residentFrames == 2 && machine.space.resolvedFaults == 3)
    #expect(machine.tearDownIsClean())
  }

  /// The trap remembers the last fault's region only as a hint: after the regions change under
  /// it, faults still find the right region or none.
  @Test func theLastFaultRegionHintSurvivesRegionChanges() throws {
    let (machine, first) = try machineWithRegion([.read, .write])
    let second = try machine.space.reserve(
      length: 4 * page, protection: .read)
    #expect(machine.touch(first.start, .write) == .completed)
    #expect(machine.touch(second.start, .read) == .completed)
    #expect(
      machine.touch(second.start + page, .write)
        == .killed(KillReason(kind: .accessViolation, address: second.start + page, access: .write))
    )
    try machine.space.release(
      start: first.start, length: first.length)
    #expect(
      machine.touch(first.start + page, .write)
        == .killed(KillReason(kind: .notMapped, address: first.start + page, access: .write)))
    #expect(machine.touch(second.start + 2 * page, .read) == .completed)
    #expect(machine.tearDownIsClean())
  }

  @Test func accessesTheRegionForbidsKill() throws {
    let (machine, range) = try machineWithRegion(.read)
    #expect(
      machine.touch(range.start, .write)
        == .killed(
          KillReason(kind: .accessViolation, address: range.start, access: .write)))
    #expect(
      machine.touch(range.start, .execute)
        == .killed(
          KillReason(kind: .accessViolation, address: range.start, access: .execute)))
    let (noAccess, none) = try machineWithRegion(.none)
    #expect(
      noAccess.touch(none.start, .read)
        == .killed(
          KillReason(kind: .accessViolation, address: none.start, access: .read)))
  }

  @Test func executeNeedsAnExecutableRegion() throws {
    let (machine, range) = try machineWithRegion([.read, .execute])
    #expect(machine.touch(range.start, .execute) == .completed)
  }

  @Test func addressesOutsideTheProcessKill() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    #expect(
      machine.touch(0, .read) == .killed(KillReason(kind: .notMapped, address: 0, access: .read)))
    #expect(
      machine.touch(range.end, .write)
        == .killed(
          KillReason(kind: .notMapped, address: range.end, access: .write)))
    let kernel: UInt64 = 0xffff_ffff_8000_0000
    #expect(
      machine.touch(kernel, .read)
        == .killed(KillReason(kind: .kernelAddress, address: kernel, access: .read)))
    let fault = PageFault(address: 0x8000_0000_0000, errorCode: [.user], origin: .user)
    #expect(
      machine.space.handlePageFault(fault)
        == .kill(
          KillReason(kind: .nonCanonical, address: 0x8000_0000_0000, access: .read)))
    #expect(machine.space.residentFrames == 0)
  }

  @Test func userCopyFaultsAreResolvedOrReportedNotPanicked() throws {
    let (machine, range) = try machineWithRegion([.read, .write])
    let good = PageFault(address: range.start, errorCode: [.write], origin: .kernelAccessingUser)
    #expect(machine.space.handlePageFault(good) == .resolved(.zeroedFrame))
    let bad = PageFault(address: 0x10, errorCode: [], origin: .kernelAccessingUser)
    #expect(
      machine.space.handlePageFault(bad)
        == .kill(
          KillReason(kind: .notMapped, address: 0x10, access: .read)))
  }

  @Test func aBrokenCommitPanicsInsteadOfFailingTheProcess() throws {
    let (machine, range) = try machineWithRegion([.read, .write], zeroPage: false)
    machine.frames.failurePlan = .allAfter(0)
    #expect(
      machine.touch(range.start, .write)
        == .panicked(
          .commitViolated(
            PageFault(address: range.start, errorCode: [.user, .write], origin: .user))))
    machine.frames.failurePlan = .never
    #expect(machine.tearDownIsClean())
  }
}
