import KernelMemory
import KernelMemoryEmulation
import Testing

/// Fails the N-th frame allocation of a whole scenario, for every N the scenario makes, and
/// proves that each failure is reported, leaks nothing and leaves a consistent state.
@Suite struct FaultInjectionTests {
  static let page = PageSize.size4KiB.bytes

  /// A process's life in small: tables, demand faults across a 1 GiB boundary, zero-page
  /// upgrades, brk, a stack, a partial munmap and an mprotect. Returns how many operations
  /// reported a failure.
  static func scenario(_ machine: TestMachine) -> Int {
    var failures = 0
    let base: UInt64 = 0x3ff0_0000
    do {
      _ = try machine.space.reserve(
        length: 512 * page, protection: [.read, .write], at: .fixed(base))
      try machine.space.setUpHeap(at: 0x100_0000)
      try machine.space.setBreak(
        to: 0x100_0000 + 8 * page)
      _ = try machine.space.reserveStack(
        size: 8 * page)
    } catch {
      Issue.record("reservations allocate no frames, yet failed: \(error)")
    }
    let touches: [(UInt64, AccessKind)] = [
      (base, .write), (base + 0x10_0000 - page, .read), (base + 0x10_0000, .write),
      (base + 0x10_0000, .read), (0x100_0000, .write), (UserLayout.stackTop - 8, .write),
      (base + page, .read), (base + page, .write),
    ]
    for (address, access) in touches {
      switch machine.touch(address, access) {
      case .completed: break
      case .panicked(.commitViolated): failures += 1
      case let other: Issue.record("unexpected outcome \(other)")
      }
    }
    do {
      try machine.space.release(
        start: base + 0x10_0000 - page, length: 2 * page)
      try machine.space.protect(
        start: base, length: 4 * page, protection: .read)
    } catch {
      Issue.record("release and protect allocate no frames, yet failed: \(error)")
    }
    return failures
  }

  @Test func everyFailedAllocationIsReportedAndLeaksNothing() {
    let clean = TestMachine()
    #expect(Self.scenario(clean) == 0)
    let allocations = clean.frames.allocations - TestMachine().frames.allocations
    #expect(allocations > 10)
    #expect(clean.tearDownIsClean())
    for failing in 1...allocations {
      let machine = TestMachine()
      machine.frames.failurePlan = .request(failing)
      let failures = Self.scenario(machine)
      // Every allocation after set-up is a demand fault's: the refusal surfaces as exactly one
      // commit-violation panic, the answer the kernel gets when accounting is broken.
      #expect(machine.frames.failedAllocations == 1 && failures == 1)
      #expect(machine.commit.committed == machine.space.committedFrames)
      #expect(machine.space.commitAudit().isEmpty)
      #expect(machine.mmu.staleEntries().isEmpty)
      #expect(machine.tearDownIsClean(), "allocation \(failing) failed and something leaked")
    }
  }
}

/// Addresses at the edges: 0, the last canonical pages, boundaries of every table level.
@Suite struct AddressEdgeCaseTests {
  static let page = PageSize.size4KiB.bytes

  @Test func theLastCanonicalPagesOfBothHalvesMapAndTranslate() throws {
    let machine = TestMachine()
    let map = machine.space.pageMap
    for value: UInt64 in [0x7fff_ffff_f000, 0xffff_ffff_ffff_f000, 0xffff_8000_0000_0000, 0] {
      let page = VirtualAddress(value)!
      try map.map(page, to: PhysicalFrame(number: 9), flags: [.writable], frames: &machine.frames)
      #expect(map.translate(page.adding(0xfff)!)?.value == 9 * 4096 + 0xfff)
      _ = try map.unmap(page).flush(machine.mmu, returningTablesTo: &machine.frames)
    }
    // The user part's tables are reclaimed; the kernel part's (three pages here, three tables
    // each) are shared by every address space and stay.
    #expect(machine.framesInUse == 1 + 3 * 3)
  }

  @Test func pageZeroAndTheKernelHalfCanNeverBeReserved() {
    let machine = TestMachine()
    #expect(throws: AddressSpaceError.belowMinimumAddress) {
      _ = try machine.space.reserve(
        length: Self.page, protection: .read, at: .fixed(0))
    }
    #expect(throws: AddressSpaceError.outsideUserSpace) {
      _ = try machine.space.reserve(
        length: Self.page, protection: .read, at: .fixed(0xffff_8000_0000_0000))
    }
    #expect(throws: AddressSpaceError.outsideUserSpace) {
      _ = try machine.space.reserve(
        length: Self.page, protection: .read, at: .fixed(UserLayout.end))
    }
    let lastPage = UserLayout.end - Self.page
    #expect(throws: Never.self) {
      _ = try machine.space.reserve(
        length: Self.page, protection: .read, at: .fixed(lastPage))
    }
  }

  @Test(arguments: [UInt64(1) << 21, 1 << 30, 1 << 39])
  func rangesCrossingATableBoundaryWorkOnBothSides(boundary: UInt64) throws {
    let machine = TestMachine()
    let range = try machine.space.reserve(
      length: 4 * Self.page, protection: [.read, .write], at: .fixed(boundary - 2 * Self.page))
    for index in 0..<4 {
      #expect(machine.touch(range.start + UInt64(index) * Self.page, .write) == .completed)
    }
    #expect(machine.space.pageMap.translate(VirtualAddress(boundary - 1)!) != nil)
    #expect(machine.space.pageMap.translate(VirtualAddress(boundary)!) != nil)
    try machine.space.release(
      start: boundary - Self.page, length: 2 * Self.page)
    #expect(machine.readByte(boundary - 2 * Self.page) == 0x5a)
    #expect(machine.touch(boundary, .read) != .completed)
    #expect(machine.tearDownIsClean())
  }

  @Test func zeroAndOverflowingLengthsAreRejectedEverywhere() {
    let machine = TestMachine()
    for length: UInt64 in [0, .max, .max - 0xfff, 1 << 63] {
      #expect(throws: AddressSpaceError.self) {
        try machine.space.release(
          start: 0x1000_0000, length: length)
      }
      #expect(throws: AddressSpaceError.self) {
        try machine.space.protect(
          start: 0x1000_0000, length: length, protection: .read)
      }
      #expect(throws: AddressSpaceError.self) {
        _ = try machine.space.reserve(
          length: length, protection: .read)
      }
    }
    #expect(machine.space.regions.isEmpty && machine.commit.committed == 0)
  }
}
