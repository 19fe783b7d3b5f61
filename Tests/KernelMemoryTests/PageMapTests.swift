import KernelMemory
import KernelMemoryEmulation
import Testing

/// Unit tests of the seed's PageMap against the software MMU.
@Suite struct PageMapTests {
  let ram = EmulatedRAM(megabytes: 16, contents: .poison)
  let frames: CountingFrameSource<SimpleFramePool>
  let map: PageMap<EmulatedRAM>
  let mmu: SoftwareMMU

  init() throws {
    var source = CountingFrameSource(
      wrapping: SimpleFramePool(ram: ram, first: PhysicalFrame(number: 64), count: 1024))
    map = try PageMap(memory: ram, frames: &source)
    frames = source
    mmu = SoftwareMMU(ram: ram, rootTable: map.root)
  }

  func address(_ value: UInt64) -> VirtualAddress { VirtualAddress(value)! }
  let userData: PageTableFlags = [.writable, .user, .noExecute]

  @Test func locateWithoutCreationReportsMissingTables() {
    #expect(throws: PageMapError.notMapped) { try map.locate(address(0x40_0000)) }
  }

  @Test func locateCreatesEachMissingTableOnce() throws {
    var source = frames
    let first = try map.locate(address(0x40_0000), frames: &source)
    #expect(frames.outstandingCount == 4)  // PML4 + PDPT + PD + PT
    let second = try map.locate(address(0x40_1000), frames: &source)
    #expect(second.table == first.table && second.index == first.index + 1)
    #expect(frames.outstandingCount == 4)
    #expect(try map.locate(address(0x40_1000)) == second)
  }

  @Test func mapTranslateAndAccessThroughTheMMU() throws {
    var source = frames
    let frame = PhysicalFrame(number: 2000)
    try map.map(address(0x40_0000), to: frame, flags: userData, frames: &source)
    #expect(map.translate(address(0x40_0123))?.value == 2000 * 4096 + 0x123)
    #expect(mmu.write(7, at: address(0x40_0123), mode: .user).fault == nil)
    #expect(ram.read(at: PhysicalAddress(2000 * 4096 + 0x123)!) == 7)
    #expect(throws: PageMapError.alreadyMapped) {
      try map.map(address(0x40_0000), to: frame, flags: userData, frames: &source)
    }
  }

  @Test func hugePagesTranslateWithTheirOffsetBits() throws {
    var source = frames
    try map.map(
      address(0x20_0000), to: PhysicalFrame(number: 512), size: .size2MiB, flags: userData,
      frames: &source)
    try map.map(
      address(0x4000_0000), to: PhysicalFrame(number: 0), size: .size1GiB, flags: [.writable],
      frames: &source)
    #expect(map.translate(address(0x2f_fff8))?.value == 0x2f_fff8)
    #expect(map.translate(address(0x4012_3456))?.value == 0x12_3456)
    #expect(map.mapping(containing: address(0x4012_3456))?.size == .size1GiB)
    #expect(mmu.read(at: address(0x2f_fff8), mode: .user).fault == nil)
    #expect(throws: PageMapError.hugePageInTheWay(.pageDirectory)) {
      try map.map(
        address(0x21_0000), to: PhysicalFrame(number: 9), flags: userData, frames: &source)
    }
  }

  @Test(arguments: [PageSize.size2MiB, .size1GiB])
  func hugePagesUnmapAndReclaimTheirTables(size: PageSize) throws {
    var source = frames
    let page = address(0x40_0000_0000)
    try map.map(page, to: PhysicalFrame(number: 0), size: size, flags: userData, frames: &source)
    #expect(map.occupancyCountsAreConsistent())
    let unmapped = try map.unmap(page)
    #expect(unmapped.size == size)
    #expect(unmapped.flush(mmu, returningTablesTo: &source).number == 0)
    #expect(map.occupancyCountsAreConsistent())
    #expect(frames.outstandingCount == 1)
    #expect(map.translate(page) == nil)
  }

  @Test func misalignedMappingsAreRejected() {
    var source = frames
    #expect(throws: PageMapError.misaligned) {
      try map.map(
        address(0x20_1000), to: PhysicalFrame(number: 512), size: .size2MiB, flags: userData,
        frames: &source)
    }
    #expect(throws: PageMapError.misaligned) {
      try map.map(
        address(0x20_0000), to: PhysicalFrame(number: 513), size: .size2MiB, flags: userData,
        frames: &source)
    }
  }

  @Test func unmapReturnsTheFrameAndReclaimsEmptyTablesAfterTheFlush() throws {
    var source = frames
    let page = address(0x7e12_3456_7000)
    try map.map(page, to: PhysicalFrame(number: 3000), flags: userData, frames: &source)
    #expect(mmu.read(at: page, mode: .user).fault == nil)
    #expect(frames.outstandingCount == 4)
    let unmapped = try map.unmap(page)
    #expect(frames.outstandingCount == 4)  // nothing reused before the flush
    let frame = unmapped.flush(mmu, returningTablesTo: &source)
    #expect(frame.number == 3000)
    #expect(frames.outstandingCount == 1)  // only the PML4 is left
    #expect(mmu.read(at: page, mode: .user).fault != nil)
    #expect(throws: PageMapError.notMapped) { _ = try map.unmap(page) }
  }

  @Test func unmapKeepsTablesThatStillHoldEntries() throws {
    var source = frames
    try map.map(
      address(0x40_0000), to: PhysicalFrame(number: 3000), flags: userData, frames: &source)
    try map.map(
      address(0x40_1000), to: PhysicalFrame(number: 3001), flags: userData, frames: &source)
    _ = try map.unmap(address(0x40_0000)).flush(mmu, returningTablesTo: &source)
    #expect(frames.outstandingCount == 4)
    #expect(map.translate(address(0x40_1000))?.value == 3001 * 4096)
  }

  /// `unmapAll` (munmap's single pass): removes exactly the leaves starting in the range, in
  /// address order, across page tables; reclaims the tables it empties; keeps the occupancy
  /// counts exact; leaves nothing stale in the TLB.
  @Test func unmapAllRemovesTheRangeInOnePassAndReclaimsEmptiedTables() throws {
    var source = frames
    let pages: [UInt64] = [0x3f_f000, 0x40_0000, 0x40_1000, 0x60_0000, 0x60_1000]
    for (index, page) in pages.enumerated() {
      try map.map(
        address(page), to: PhysicalFrame(number: 3000 + UInt64(index)), flags: userData,
        frames: &source)
      #expect(mmu.write(1, at: address(page), mode: .user).fault == nil)  // cached in the TLB
    }
    #expect(frames.outstandingCount == 6)  // PML4, PDPT, PD, three page tables
    var removed: [UInt64] = []
    map.unmapAll(in: try VirtualRange(start: 0x40_0000, length: 0x20_1000), mmu, frames: &source) {
      removed.append($0.page.value)
      return false  // not the pool's frames
    }
    #expect(removed == [0x40_0000, 0x40_1000, 0x60_0000])
    #expect(frames.outstandingCount == 5)  // the page table of 0x40_0000 is gone
    #expect(map.translate(address(0x3f_f000)) != nil && map.translate(address(0x60_1000)) != nil)
    #expect(map.translate(address(0x60_0000)) == nil)
    #expect(mmu.staleEntries().isEmpty)
    #expect(map.occupancyCountsAreConsistent())
    map.unmapAll(in: try VirtualRange(start: 0, length: UserLayout.end), mmu, frames: &source) {
      _ in false
    }
    #expect(frames.outstandingCount == 1)  // only the PML4
    #expect(mmu.staleEntries().isEmpty)
  }

  /// A full page table inside the range is unlinked whole and the TLB flushed once; every leaf
  /// is still reported in order and nothing stays cached.
  @Test func unmapAllDropsAWellFilledPageTableWithOneFlush() throws {
    var source = frames
    let count = PageMap<EmulatedRAM>.singlePageFlushCeiling + 7
    for index in 0..<count {
      let page = address(0x40_0000 + UInt64(index) * 4096)
      try map.map(
        page, to: PhysicalFrame(number: 3000 + UInt64(index)), flags: userData, frames: &source)
      #expect(mmu.read(at: page, mode: .user).fault == nil)
    }
    #expect(frames.outstandingCount == 4)
    var removed: [UInt64] = []
    map.unmapAll(in: try VirtualRange(start: 0x40_0000, length: 0x20_0000), mmu, frames: &source) {
      removed.append($0.frameAddress.frame.number)
      return false
    }
    #expect(removed == (0..<count).map { 3000 + UInt64($0) })
    #expect(frames.outstandingCount == 1)  // the page table, then the emptied PD and PDPT
    #expect(mmu.staleEntries().isEmpty)
    #expect(map.translate(address(0x40_0000)) == nil)
    #expect(map.occupancyCountsAreConsistent())
  }

  @Test func protectionChangesTakeEffectOnlyAfterTheFlush() throws {
    var source = frames
    let page = address(0x40_0000)
    try map.map(page, to: PhysicalFrame(number: 3000), flags: userData, frames: &source)
    #expect(mmu.write(1, at: page, mode: .user).fault == nil)
    let pending = try map.protect(page, flags: [.user, .noExecute])
    #expect(mmu.staleEntries() == [page])  // the TLB still allows the write
    pending.flush(mmu)
    #expect(mmu.staleEntries().isEmpty)
    #expect(mmu.write(1, at: page, mode: .user).fault != nil)
    #expect(mmu.read(at: page, mode: .user).fault == nil)
  }

  @Test func outOfFramesMidWalkLeavesNoTraceForEveryFailurePoint() throws {
    for failing in 1...3 {
      var source = frames
      frames.failurePlan = .request(failing)
      #expect(throws: PageMapError.outOfFrames) {
        try map.map(
          address(0x40_0000), to: PhysicalFrame(number: 3000), flags: userData, frames: &source)
      }
      #expect(frames.outstandingCount == 1)
      #expect(throws: PageMapError.notMapped) {
        try map.locate(address(0x40_0000), at: .pageDirectoryPointerTable)
      }
      frames.failurePlan = .never
    }
  }

  @Test func walkingVisitsOnlyPresentLeavesInOrder() throws {
    var source = frames
    let pages: [UInt64] = [0x1000, 0x20_0000, 0x7eff_ffff_f000, 0x40_0000_0000]
    for (index, page) in pages.enumerated() {
      try map.map(
        address(page), to: PhysicalFrame(number: 3000 + UInt64(index)), flags: userData,
        frames: &source)
    }
    var seen: [UInt64] = []
    map.forEachMapping(in: VirtualRange(uncheckedStart: 0x2000, end: 0x8000_0000_0000)) {
      seen.append($0.page.value)
    }
    #expect(seen == [0x20_0000, 0x40_0000_0000, 0x7eff_ffff_f000])
  }

  @Test func tearDownReturnsEveryTableAndChosenLeaves() throws {
    var source = frames
    for page: UInt64 in [0x1000, 0x20_0000, 0x7eff_ffff_f000] {
      try map.map(address(page), to: PhysicalFrame(number: 3000), flags: userData, frames: &source)
    }
    var leaves = 0
    map.tearDownUserPart(mmu, frames: &source) { _ in
      leaves += 1
      return false
    }
    #expect(leaves == 3)
    #expect(frames.outstandingCount == 1)
    #expect(frames.releaseErrors.isEmpty)
  }

  @Test func kernelHalfIsSharedAndNeverReclaimed() throws {
    var source = frames
    let kernelPage = address(0xffff_8000_0000_0000)
    try map.map(kernelPage, to: PhysicalFrame(number: 3000), flags: [.writable], frames: &source)
    let process = try PageMap(sharingKernelPartOf: map, frames: &source)
    #expect(process.translate(kernelPage)?.value == 3000 * 4096)
    _ = try process.unmap(kernelPage).flush(mmu, returningTablesTo: &source)
    #expect(map.translate(kernelPage) == nil)
    #expect(frames.outstandingCount == 5)  // two PML4s and the kernel's PDPT, PD, PT stay
  }

  @Test func userCannotReachSupervisorPages() throws {
    var source = frames
    try map.map(
      address(0x40_0000), to: PhysicalFrame(number: 3000), flags: [.writable], frames: &source)
    #expect(mmu.read(at: address(0x40_0000), mode: .user).fault != nil)
    #expect(mmu.read(at: address(0x40_0000), mode: .supervisor).fault == nil)
  }
}
