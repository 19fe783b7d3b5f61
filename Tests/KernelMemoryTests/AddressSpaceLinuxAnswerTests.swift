import KernelMemory
import KernelMemoryEmulation
import Testing

/// `advise` (`madvise`): Linux's answers per region, shared and private.
@Suite struct AddressSpaceAdviseTests {
  let page = PageSize.size4KiB.bytes

  func mapped(
    _ machine: TestMachine, at start: UInt64, pages: UInt64, _ protection: Protection,
    _ kind: RegionKind
  ) throws -> VirtualRange {
    let range = try machine.space.reserve(
      length: pages * page, protection: protection, kind: kind, at: .fixed(start))
    if protection.contains(.write) {
      for index in 0..<pages { machine.touch(start + index * page, .write, value: 7) }
    }
    return range
  }

  @Test func dontNeedKeepsSharedDataAndDropsPrivateData() throws {
    let machine = TestMachine()
    let shared = try mapped(machine, at: 0x40_0000, pages: 2, [.read, .write], .sharedAnonymous)
    let both = VirtualRange(uncheckedStart: shared.start, end: shared.end + 2 * page)
    _ = try mapped(machine, at: shared.end, pages: 2, [.read, .write], .anonymous)
    #expect(machine.space.regions.count == 2)  // shared and private never merge
    try machine.space.advise(both, .dontNeed)
    #expect(machine.readByte(shared.start) == 7)
    #expect(machine.readByte(shared.end) == 0)
    #expect(machine.tearDownIsClean())
  }

  @Test func freeAndWipeOnForkRefuseSharedMemoryAfterAdvisingWhatCameBefore() throws {
    let machine = TestMachine()
    let before = try mapped(machine, at: 0x40_0000, pages: 2, [.read, .write], .anonymous)
    let shared = try mapped(machine, at: before.end, pages: 2, [.read, .write], .sharedAnonymous)
    let both = VirtualRange(uncheckedStart: before.start, end: shared.end)
    #expect(throws: AddressSpaceError.notApplicable) {
      try machine.space.advise(both, .free)
    }
    #expect(machine.readByte(before.start) == 0)
    #expect(machine.readByte(shared.start) == 7)
    #expect(throws: AddressSpaceError.notApplicable) {
      try machine.space.advise(shared, .privateOnly)
    }
    #expect(machine.tearDownIsClean())
  }

  @Test func removeZeroesSharedMemoryOnly() throws {
    let machine = TestMachine()
    let shared = try mapped(machine, at: 0x40_0000, pages: 2, [.read, .write], .sharedAnonymous)
    let readOnly = try mapped(machine, at: 0x80_0000, pages: 1, .read, .sharedAnonymous)
    let privateRange = try mapped(machine, at: 0xc0_0000, pages: 1, [.read, .write], .anonymous)
    try machine.space.advise(shared, .remove)
    #expect(machine.readByte(shared.start) == 0)
    try machine.space.advise(readOnly, .remove)
    #expect(throws: AddressSpaceError.notApplicable) {
      try machine.space.advise(privateRange, .remove)
    }
    #expect(machine.readByte(privateRange.start) == 7)
    #expect(machine.tearDownIsClean())
  }

  @Test func populateFaultsInWhatTheProtectionAllows() throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    try machine.space.advise(range, .populate(.read))
    #expect(machine.space.residentFrames == 0)  // the zero page, four times
    #expect(machine.space.resolvedFaults == 4)
    try machine.space.advise(range, .populate(.write))
    #expect(machine.space.residentFrames == 4)
    try machine.space.advise(range, .populate(.write))
    #expect(machine.space.resolvedFaults == 8)  // nothing left to fault in
    let none = try mapped(machine, at: 0x80_0000, pages: 1, .none, .anonymous)
    let readOnly = try mapped(machine, at: 0xc0_0000, pages: 1, .read, .anonymous)
    let writeOnly = try mapped(machine, at: 0x100_0000, pages: 1, .write, .anonymous)
    for (target, access) in [(none, AccessKind.read), (none, .write), (readOnly, .write)] {
      #expect(throws: AddressSpaceError.notApplicable) {
        try machine.space.advise(target, .populate(access))
      }
    }
    #expect(throws: AddressSpaceError.notApplicable) {
      try machine.space.advise(writeOnly, .populate(.read))
    }
    try machine.space.advise(readOnly, .populate(.read))
    #expect(machine.tearDownIsClean())
  }

  @Test func holesAreSkippedAndReportedAtTheEnd() throws {
    let machine = TestMachine()
    let first = try mapped(machine, at: 0x40_0000, pages: 1, [.read, .write], .anonymous)
    let second = try mapped(
      machine, at: 0x40_0000 + 2 * page, pages: 1, [.read, .write], .anonymous)
    let span = VirtualRange(uncheckedStart: first.start - page, end: second.end + page)
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.advise(span, .dontNeed)
    }
    #expect(machine.space.residentFrames == 0)
    #expect(machine.tearDownIsClean())
  }
}

/// `protect` (`mprotect`) over holes and with `PROT_GROWSDOWN` / `PROT_GROWSUP`.
@Suite struct AddressSpaceProtectLinuxTests {
  let page = PageSize.size4KiB.bytes

  @Test func aHoleStopsTheChangeThere() throws {
    let machine = TestMachine()
    let base: UInt64 = 0x40_0000
    for offset: UInt64 in [0, 2] {
      _ = try machine.space.reserve(
        length: page, protection: [.read, .write], at: .fixed(base + offset * page))
    }
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.protect(
        start: base, length: 3 * page, protection: .read)
    }
    #expect(machine.space.region(containing: base)?.protection == .read)
    #expect(machine.space.region(containing: base + 2 * page)?.protection == [.read, .write])
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.protect(
        start: base + page, length: 2 * page, protection: .none)
    }
    #expect(machine.space.region(containing: base + 2 * page)?.protection == [.read, .write])
    #expect(machine.tearDownIsClean())
  }

  @Test func growthAppliesOnlyToTheStack() throws {
    let machine = TestMachine()
    let plain = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    for growth in [ProtectionGrowth.down, .up] {
      #expect(throws: AddressSpaceError.notApplicable) {
        try machine.space.protect(
          start: plain.start + page, length: page, protection: .read, growth: growth)
      }
    }
    #expect(throws: AddressSpaceError.notReserved) {
      try machine.space.protect(
        start: 0x80_0000, length: page, protection: .read, growth: .down)
    }
    let stack = try machine.space.reserveStack(
      size: 8 * page)
    try machine.space.protect(
      start: stack.end - page, length: page, protection: [.read, .write, .execute],
      growth: .down)
    #expect(machine.space.region(containing: stack.start)?.protection == [.read, .write, .execute])
    #expect(machine.space.region(containing: plain.start)?.protection == [.read, .write])
    #expect(machine.tearDownIsClean())
  }
}
