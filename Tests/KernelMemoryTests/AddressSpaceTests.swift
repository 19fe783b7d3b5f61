import KernelMemory
import KernelMemoryEmulation
import Testing

/// Reserve / release / protect / brk semantics of a process's address space.
@Suite struct AddressSpaceTests {
  let page = PageSize.size4KiB.bytes

  @Test func reserveAnywhereGivesDisjointAlignedRangesBelowTheCeiling() throws {
    let machine = TestMachine()
    let first = try machine.space.reserve(
      length: 3 * page + 1, protection: [.read, .write])
    let second = try machine.space.reserve(
      length: page, protection: .read)
    #expect(first.pageCount == 4)
    #expect(!first.overlaps(second))
    #expect(first.end <= UserLayout.mmapCeiling && second.end <= UserLayout.mmapCeiling)
    #expect(machine.framesInUse == 1)  // reserving backs nothing: only the PML4
  }

  @Test func fixedNoReplaceRefusesOverlapAndFixedReplaces() throws {
    let machine = TestMachine()
    let base: UInt64 = 0x1000_0000
    _ = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(base))
    #expect(machine.touch(base + page, .write, value: 9) == .completed)
    #expect(throws: AddressSpaceError.overlapsExisting) {
      _ = try machine.space.reserve(
        length: page, protection: .read, at: .fixedNoReplace(base + 3 * page))
    }
    _ = try machine.space.reserve(
      length: 2 * page, protection: .read, at: .fixed(base + page))
    #expect(machine.readByte(base + page) == 0)  // replaced: fresh zero memory
    #expect(machine.space.regions.count == 3)
    #expect(machine.tearDownIsClean())
  }

  @Test func hintIsUsedWhenFreeAndIgnoredWhenNot() throws {
    let machine = TestMachine()
    let hint: UInt64 = 0x5000_0000
    let first = try machine.space.reserve(
      length: page, protection: .read, at: .hint(hint))
    let second = try machine.space.reserve(
      length: page, protection: .read, at: .hint(hint))
    #expect(first.start == hint)
    #expect(second.start != hint)
  }

  @Test func badRangesGetLinuxErrors() {
    let machine = TestMachine()
    func reserve(_ placement: Placement, _ length: UInt64) throws(AddressSpaceError) {
      _ = try machine.space.reserve(
        length: length, protection: .read, at: placement)
    }
    #expect(throws: AddressSpaceError.invalidRange(.zeroLength)) { try reserve(.anywhere, 0) }
    #expect(throws: AddressSpaceError.invalidRange(.misaligned)) {
      try reserve(.fixed(0x1000_0001), page)
    }
    #expect(throws: AddressSpaceError.belowMinimumAddress) { try reserve(.fixed(0), page) }
    #expect(throws: AddressSpaceError.outsideUserSpace) {
      try reserve(.fixed(0x7fff_ffff_f000), 2 * page)
    }
    #expect(throws: AddressSpaceError.outsideUserSpace) { try reserve(.fixed(0x1000_0000), .max) }
    #expect(throws: AddressSpaceError.noSpace) { try reserve(.anywhere, 1 << 47) }
    #expect(AddressSpaceError.overlapsExisting.errno == .EEXIST)
  }

  @Test func reservationsBeyondTheCommitLimitFailWithNothingChanged() throws {
    let machine = TestMachine(commitLimit: 100)
    #expect(throws: AddressSpaceError.outOfMemory) {
      _ = try machine.space.reserve(
        length: 200 * page, protection: [.read, .write])
    }
    #expect(machine.commit.committed == 0 && machine.space.regions.isEmpty)
    // PROT_NONE reserves address space without committing, as on Linux.
    let reserved = try machine.space.reserve(
      length: 200 * page, protection: .none)
    #expect(machine.commit.committed == 0)
    #expect(throws: AddressSpaceError.outOfMemory) {
      try machine.space.protect(
        start: reserved.start, length: reserved.length, protection: .read)
    }
    #expect(machine.space.regions.allSatisfy { $0.protection == .none })
  }

  @Test func releaseSplitsRegionsAndReturnsFramesAndCommit() throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 8 * page, protection: [.read, .write])
    for index in 0..<8 { machine.touch(range.start + UInt64(index) * page, .write) }
    #expect(machine.space.residentFrames == 8)
    try machine.space.release(
      start: range.start + 2 * page, length: 3 * page)
    #expect(machine.space.regions.count == 2)
    #expect(machine.space.residentFrames == 5)
    #expect(
      machine.touch(range.start + 3 * page, .read)
        == .killed(
          KillReason(kind: .notMapped, address: range.start + 3 * page, access: .read)))
    #expect(machine.readByte(range.start + 5 * page) == 0x5a)
    #expect(machine.commit.committed == machine.space.committedFrames)
    #expect(machine.tearDownIsClean())
  }

  @Test func releaseOfHolesAndBadArguments() throws {
    let machine = TestMachine()
    try machine.space.release(
      start: 0x1000_0000, length: page)
    #expect(throws: AddressSpaceError.invalidRange(.misaligned)) {
      try machine.space.release(
        start: 0x1000_0001, length: page)
    }
    #expect(throws: AddressSpaceError.invalidRange(.zeroLength)) {
      try machine.space.release(
        start: 0x1000_0000, length: 0)
    }
    #expect(throws: AddressSpaceError.invalidRange(.overflow)) {
      try machine.space.release(
        start: 0xffff_ffff_ffff_f000, length: page)
    }
  }

  @Test func protectChangesBackedPagesAndRegions() throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write])
    machine.touch(range.start, .write)
    try machine.space.protect(
      start: range.start, length: 2 * page, protection: .read)
    #expect(machine.space.regions.count == 2)
    #expect(
      machine.touch(range.start, .write)
        == .killed(
          KillReason(kind: .accessViolation, address: range.start, access: .write)))
    #expect(machine.touch(range.start + 2 * page, .write) == .completed)
    try machine.space.protect(
      start: range.start, length: 2 * page, protection: [.read, .write])
    #expect(machine.space.regions.count == 1)  // merged back
    #expect(machine.touch(range.start, .write) == .completed)
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.protect(
        start: range.start, length: 5 * page, protection: .read)
    }
    #expect(machine.tearDownIsClean())
  }

  @Test func breakGrowsShrinksAndRegrowsWithZeroedPages() throws {
    let machine = TestMachine()
    let heap: UInt64 = 0x60_0000
    try machine.space.setUpHeap(at: heap)
    try machine.space.setBreak(
      to: heap + 3 * page + 10)
    #expect(machine.touch(heap + 3 * page + 5, .write, value: 0x77) == .completed)
    try machine.space.setBreak(to: heap + page)
    #expect(machine.touch(heap + 3 * page, .read) != .completed)
    try machine.space.setBreak(
      to: heap + 4 * page)
    #expect(machine.readByte(heap + 3 * page + 5) == 0)
    #expect(machine.space.regions.count == 1)
    #expect(throws: AddressSpaceError.outsideUserSpace) {
      try machine.space.setBreak(to: heap - 1)
    }
    #expect(machine.space.heapBreak == heap + 4 * page)
    #expect(machine.tearDownIsClean())
  }

  @Test func stackHasAGuardPageBelowIt() throws {
    let machine = TestMachine()
    let stack = try machine.space.reserveStack(
      size: 16 * page)
    #expect(machine.touch(stack.end - 8, .write) == .completed)
    #expect(
      machine.touch(stack.start - 8, .write)
        == .killed(
          KillReason(kind: .stackGuard, address: stack.start - 8, access: .write)))
    #expect(machine.tearDownIsClean())
  }
}
