import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// A `PageWalker` for tests: its policies are fields, every visit is recorded and answered by
/// `change`, and `unshareTable` makes the table writable through its entry (as a sole sharer's
/// unshare does) unless told to fail.
struct RecordingWalker: PageWalker {
  var target: WalkTarget
  var sharedTables: SharedTablePolicy = .readThrough
  var clearsEveryLeaf = false
  let memory: EmulatedRAM
  var change: (LeafSlot) -> LeafChange = { _ in .keep }
  /// Each visited slot's first address and level, in visit order.
  var visited: [(start: UInt64, level: PageTableLevel)] = []
  /// The page-directory entries `unshareTable` was asked about.
  var unshared: [PhysicalAddress] = []
  /// How many unshares had happened at each visit.
  var unsharesAtVisit: [Int] = []
  var unshareSucceeds = true
  /// Whether a cleared leaf's frame is queued on the token for release.
  var releasesClearedLeaves = false

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    unshared.append(pointer)
    guard unshareSucceeds else { return false }
    memory.store(memory.load(pointer) | PageTableFlags.writable.rawValue, at: pointer)
    return true
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    visited.append((slot.start, slot.location.level))
    unsharesAtVisit.append(unshared.count)
    let answer = change(slot)
    if answer == .clear, releasesClearedLeaves { flush.release(slot.entry.frame) }
    return answer
  }
}

/// A TLB that records what it is told, to see what a flush token does and when.
final class RecordingTLB: TranslationCache {
  var pages: [UInt64] = []
  var spaces: [PhysicalFrame] = []
  var wholeFlushes = 0

  func invalidate(_ address: VirtualAddress) { pages.append(address.value) }
  func invalidateAll() { wholeFlushes += 1 }
  func invalidateAddressSpace(root: PhysicalFrame) { spaces.append(root) }
}

/// The one page-table walk (`PageMap.walk`) on its own: each policy for missing tables, shared
/// tables, emptied tables freed after the flush, and what the flush token holds.
@Suite struct PageWalkTests {
  let ram = EmulatedRAM(megabytes: 16, contents: .poison)
  let frames: CountingFrameSource<SimpleFramePool>
  let map: PageMap<EmulatedRAM>
  let userData: PageTableFlags = [.writable, .user, .noExecute]

  init() throws {
    var source = CountingFrameSource(
      wrapping: SimpleFramePool(ram: ram, first: PhysicalFrame(number: 64), count: 2048))
    map = try PageMap(memory: ram, frames: &source)
    frames = source
  }

  func address(_ value: UInt64) -> VirtualAddress { VirtualAddress(value)! }

  /// Maps the 4 KiB pages at `pages` to frames 3000 + index.
  func mapPages(_ pages: [UInt64]) throws {
    var source = frames
    for (index, page) in pages.enumerated() {
      try map.map(
        address(page), to: PhysicalFrame(number: 3000 + UInt64(index)), flags: userData,
        frames: &source)
    }
  }

  /// Runs `walker` over `[first, last]` with a recording TLB, owing on `flush` (not flushed).
  func run(
    _ walker: inout RecordingWalker, _ first: UInt64, _ last: UInt64, tlb: RecordingTLB,
    _ flush: inout TLBFlush
  ) -> WalkOutcome {
    var source = frames
    return map.walk(from: first, through: last, &walker, flush: &flush, tlb: tlb, frames: &source)
  }

  // MARK: Missing tables

  @Test func presentLeavesSkipMissingTablesAndEmptySlots() throws {
    try mapPages([0x1000, 0x3000, 0x20_0000, 0x40_0000_0000])
    var source = frames
    try map.map(
      address(0x60_0000), to: PhysicalFrame(number: 1024), size: .size2MiB, flags: userData,
      frames: &source)
    let before = frames.outstandingCount
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0, 0x80_0000_0000 - 1, tlb: RecordingTLB(), &flush)
    #expect(outcome == .finished)
    #expect(walker.visited.map(\.start) == [0x1000, 0x3000, 0x20_0000, 0x60_0000, 0x40_0000_0000])
    #expect(walker.visited[3].level == .pageDirectory)  // the 2 MiB leaf, at its own level
    #expect(frames.outstandingCount == before)  // nothing created
    let owed = flush.owed
    #expect(owed.isEmpty)
    flush.finishEmpty()
  }

  @Test func slotsVisitEverySlotAndCreateEachMissingTableOnce() throws {
    // Two page tables' worth: the range crosses a 2 MiB boundary.
    var walker = RecordingWalker(
      target: .slots(.pageTable, missing: .create(.intermediate)), memory: ram)
    walker.change = { slot in
      .write(PageTableEntry(frame: PhysicalFrame(number: 3000), flags: [.present, .writable]))
    }
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x1F_E000, 0x20_1FFF, tlb: RecordingTLB(), &flush)
    #expect(outcome == .finished)
    #expect(walker.visited.map(\.start) == [0x1F_E000, 0x1F_F000, 0x20_0000, 0x20_1000])
    #expect(frames.outstandingCount == 1 + 4)  // root + PDPT + PD + two PTs
    #expect(map.occupancyCountsAreConsistent())
    #expect(map.translate(address(0x20_1000)) == PhysicalFrame(number: 3000).address)
    let owed = flush.owed
    #expect(owed.isEmpty)  // filling empty slots owes no invalidation
    flush.finishEmpty()
  }

  @Test func slotsWithoutCreationStopAtAMissingTableOrAHugePage() throws {
    var walker = RecordingWalker(target: .slots(.pageTable, missing: .fail), memory: ram)
    var first = TLBFlush(root: map.root)
    let missing = run(&walker, 0x40_0000, 0x40_0FFF, tlb: RecordingTLB(), &first)
    #expect(missing == .notMapped && walker.visited.isEmpty)
    first.finishEmpty()
    var source = frames
    try map.map(
      address(0x20_0000), to: PhysicalFrame(number: 512), size: .size2MiB, flags: userData,
      frames: &source)
    var second = TLBFlush(root: map.root)
    let huge = run(&walker, 0x20_0000, 0x20_0FFF, tlb: RecordingTLB(), &second)
    #expect(huge == .hugePageInTheWay(.pageDirectory))
    second.finishEmpty()
  }

  @Test func runningOutOfFramesLeavesTheFailingDescentUntouched() throws {
    for failing in 1...3 {
      let before = frames.outstandingCount
      frames.failurePlan = .request(failing)
      var walker = RecordingWalker(
        target: .slots(.pageTable, missing: .create(.intermediate)), memory: ram)
      var flush = TLBFlush(root: map.root)
      let outcome = run(&walker, 0x40_0000, 0x40_0FFF, tlb: RecordingTLB(), &flush)
      frames.failurePlan = .never
      #expect(outcome == .outOfFrames && walker.visited.isEmpty)
      #expect(frames.outstandingCount == before)
      #expect(throws: PageMapError.notMapped) {
        try map.locate(address(0x40_0000), at: .pageDirectoryPointerTable)
      }
      flush.finishEmpty()
    }
  }

  // MARK: Emptied tables and the flush token

  @Test func clearedLeavesFreeTheirEmptiedTablesOnlyAfterTheFlush() throws {
    try mapPages([0x40_0000, 0x40_1000])
    let tables = frames.outstandingCount - 1  // PDPT, PD, PT
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    walker.change = { _ in .clear }
    let tlb = RecordingTLB()
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x40_0000, 0x40_1FFF, tlb: tlb, &flush)
    #expect(outcome == .finished && tables == 3)
    // Unlinked, but queued on the token: nothing reused before the flush.
    #expect(frames.outstandingCount == 1 + 3)
    let owed = flush.owed
    #expect(owed.root == map.root)
    // Both pages owed; the tables' own invalidation is covered by those INVLPGs.
    let owed2 = flush.owed
    #expect(owed2.pendingPages == [0x40_0000, 0x40_1000])
    let owed3 = flush.owed
    #expect(owed3.pendingFrames.count == 3 && !owed3.flushesWholeSpace)
    #expect(tlb.pages.isEmpty)
    var source = frames
    flush.flush(tlb, returningFramesTo: &source)
    #expect(tlb.pages == [0x40_0000, 0x40_1000])
    #expect(frames.outstandingCount == 1)  // only the root is left
    #expect(map.mapping(containing: address(0x40_0000)) == nil)
  }

  @Test func aSinglePageWalkFreesItsLeafAndEveryTableAboveWithoutAnEarlyFlush() throws {
    // The only page of its PDPT: clearing it empties the PT, PD and PDPT, and the leaf's own
    // frame goes too — four runs at most, which the token holds without flushing mid-walk
    // (`NoMidWalkFlush` traps if it tries).
    var source = frames
    let leaf = source.allocateFrame()!
    try map.map(address(0x80_0000_0000), to: leaf, flags: userData, frames: &source)
    #expect(frames.outstandingCount == 1 + 1 + 3)
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    walker.change = { _ in .clear }
    walker.releasesClearedLeaves = true
    var flush = TLBFlush(root: map.root)
    let outcome = map.walk(
      from: 0x80_0000_0000, through: 0x80_0000_0FFF, &walker, flush: &flush,
      tlb: NoMidWalkFlush(), frames: &source)
    #expect(outcome == .finished && walker.visited.count == 1)
    let owed = flush.owed
    #expect(owed.pendingFrames.count == 4 && owed.runCount <= TLBFlush.frameRunCapacity)
    #expect(owed.pendingPages == [0x80_0000_0000])
    #expect(frames.outstandingCount == 1 + 1 + 3)  // nothing reused before the flush
    let tlb = RecordingTLB()
    flush.flush(tlb, returningFramesTo: &source)
    #expect(tlb.pages == [0x80_0000_0000] && frames.outstandingCount == 1)
    #expect(map.occupancyCountsAreConsistent())
  }

  @Test func aWellFilledPageTableInsideTheRangeGoesWholeWithOneFlush() throws {
    let count = TLBFlush.singlePageFlushCeiling + 1
    try mapPages((0..<UInt64(count)).map { 0x40_0000 + $0 * 0x1000 })
    var walker = RecordingWalker(target: .presentLeaves, clearsEveryLeaf: true, memory: ram)
    walker.change = { _ in .clear }
    let tlb = RecordingTLB()
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x40_0000, 0x5F_FFFF, tlb: tlb, &flush)
    #expect(outcome == .finished && walker.visited.count == count)
    #expect(tlb.spaces == [map.root] && tlb.pages.isEmpty)  // one flush naming the space
    var source = frames
    flush.flush(tlb, returningFramesTo: &source)
    #expect(frames.outstandingCount == 1)
    #expect(map.occupancyCountsAreConsistent())
  }

  @Test func kernelPartTablesAreNeverFreed() throws {
    let kernelPage = VirtualAddress(truncatingToCanonical: UserLayout.end + 0x1000)
    var source = frames
    try map.map(kernelPage, to: PhysicalFrame(number: 3000), flags: [.writable], frames: &source)
    let before = frames.outstandingCount
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    walker.change = { _ in .clear }
    let tlb = RecordingTLB()
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, kernelPage.value, kernelPage.value + 0xFFF, tlb: tlb, &flush)
    #expect(outcome == .finished && walker.visited.count == 1)
    let owed = flush.owed
    #expect(owed.pendingPages == [kernelPage.value] && owed.pendingFrames.isEmpty)
    flush.flush(tlb, returningFramesTo: &source)
    #expect(frames.outstandingCount == before)
  }

  @Test func theTokenGathersPagesThenTheWholeSpaceAndMergesFrameRuns() {
    var flush = TLBFlush(root: PhysicalFrame(number: 7))
    for page in 0..<UInt64(TLBFlush.singlePageFlushCeiling) { flush.invalidate(page << 12) }
    flush.invalidate(UInt64(TLBFlush.singlePageFlushCeiling - 1) << 12)  // a repeat: no new entry
    let owed = flush.owed
    #expect(owed.pageCount == TLBFlush.singlePageFlushCeiling && !owed.flushesWholeSpace)
    flush.invalidate(0x100_0000)
    let owed2 = flush.owed
    #expect(owed2.flushesWholeSpace && owed2.pendingPages.isEmpty)
    flush.release(PhysicalFrame(number: 100))
    flush.release(PhysicalFrame(number: 101), count: 2)
    flush.release(PhysicalFrame(number: 200))
    let owed3 = flush.owed
    #expect(owed3.runCount == 2)
    let owed4 = flush.owed
    #expect(owed4.pendingFrames.map(\.number) == [100, 101, 102, 200])
    let tlb = RecordingTLB()
    var pool = ReleaseRecorder()
    flush.flushNow(tlb, returningFramesTo: &pool)
    let owed5 = flush.owed
    #expect(tlb.spaces == [PhysicalFrame(number: 7)] && owed5.isEmpty)
    #expect(pool.released.map(\.number) == [100, 101, 102, 200])
    flush.invalidateTable(at: 0x20_0000)  // no page owed: the table needs its own
    flush.invalidate(0x20_1000)
    flush.invalidateTable(at: 0x60_0000)  // covered by the pages' INVLPGs
    let owed6 = flush.owed
    #expect(owed6.pendingPages == [0x20_0000, 0x20_1000])
    flush.flush(tlb, returningFramesTo: &pool)
    #expect(tlb.pages == [0x20_0000, 0x20_1000])
  }

  @Test func aFullTokenIsFlushedMidWalkBeforeMoreIsQueued() throws {
    // Leaves in many page tables, each left empty: two frames queued per table (leaf, PT).
    let pages = (0..<UInt64(20)).map { 0x4000_0000 + $0 * 0x20_0000 }
    var source = frames
    // Leaf frames first, tables after: a leaf and its table are not neighbours, so the queue
    // cannot merge them into one run.
    let leaves = pages.map { _ in source.allocateFrame()! }
    for (page, leaf) in zip(pages, leaves) {
      try map.map(address(page), to: leaf, flags: userData, frames: &source)
    }
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    walker.releasesClearedLeaves = true
    var flush = TLBFlush(root: map.root)
    let tlb = RecordingTLB()
    walker.change = { _ in .clear }
    let releasesBefore = frames.releases
    let outcome = map.walk(
      from: pages.first!, through: pages.last! + 0xFFF, &walker, flush: &flush, tlb: tlb,
      frames: &source)
    let releasedMidWalk = frames.releases - releasesBefore
    let queued = flush.owed.runCount
    #expect(outcome == .finished)
    // Flushed early at least once (the pages span more than the ceiling: the whole space),
    // and only then released what it had queued.
    #expect(tlb.spaces.count >= 1 && releasedMidWalk > 0)
    #expect(queued <= TLBFlush.frameRunCapacity)
    flush.flush(tlb, returningFramesTo: &source)
    #expect(frames.outstandingCount == 1 && frames.releaseErrors.isEmpty)
  }

  // MARK: Shared tables

  /// Maps two pages, then clears R/W in the page-directory entry of their table, as fork does.
  func shareTableOf(_ page: UInt64) throws -> PhysicalAddress {
    try mapPages([page, page + 0x1000])
    let pointer = try map.locate(address(page), at: .pageDirectory)
    let entry = map.entry(at: pointer)
    ram.store(entry.rawValue & ~PageTableFlags.writable.rawValue, at: pointer.address)
    return pointer.address
  }

  @Test func unshareFirstMakesTheTableItsOwnBeforeAnyLeafIsVisited() throws {
    let pointer = try shareTableOf(0x40_0000)
    var walker = RecordingWalker(
      target: .presentLeaves, sharedTables: .unshareFirst, memory: ram)
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x40_0000, 0x40_1FFF, tlb: RecordingTLB(), &flush)
    #expect(outcome == .finished && walker.unshared == [pointer])
    #expect(walker.unsharesAtVisit == [1, 1])  // unshared before the first leaf
    #expect(PageTableEntry(rawValue: ram.load(pointer)).flags.contains(.writable))
    flush.finishEmpty()
  }

  @Test func readThroughVisitsASharedTableAsItIs() throws {
    let pointer = try shareTableOf(0x40_0000)
    var walker = RecordingWalker(target: .presentLeaves, memory: ram)
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x40_0000, 0x40_1FFF, tlb: RecordingTLB(), &flush)
    #expect(outcome == .finished && walker.unshared.isEmpty && walker.visited.count == 2)
    #expect(!PageTableEntry(rawValue: ram.load(pointer)).flags.contains(.writable))
    flush.finishEmpty()
  }

  @Test func aFailedUnshareStopsTheWalkBeforeItsLeaves() throws {
    _ = try shareTableOf(0x40_0000)
    var walker = RecordingWalker(
      target: .presentLeaves, sharedTables: .unshareFirst, memory: ram)
    walker.unshareSucceeds = false
    walker.change = { _ in .clear }
    var flush = TLBFlush(root: map.root)
    let outcome = run(&walker, 0x40_0000, 0x40_1FFF, tlb: RecordingTLB(), &flush)
    #expect(outcome == .outOfFrames && walker.visited.isEmpty)
    #expect(map.translate(address(0x40_1000)) != nil)
    flush.finishEmpty()
  }
}

/// What a flush token owes, as a copyable value to check.
struct Owed {
  let root: PhysicalFrame
  let pendingPages: [UInt64]
  let pendingFrames: [PhysicalFrame]
  let flushesWholeSpace: Bool
  let pageCount: Int
  let runCount: Int
  let isEmpty: Bool
}

extension TLBFlush {
  var owed: Owed {
    Owed(
      root: root, pendingPages: pendingPages, pendingFrames: pendingFrames,
      flushesWholeSpace: flushesWholeSpace, pageCount: pageCount, runCount: runCount,
      isEmpty: isEmpty)
  }
}

/// A frame source that only records what comes back.
struct ReleaseRecorder: FrameSource {
  var released: [PhysicalFrame] = []
  mutating func allocateFrame() -> PhysicalFrame? { nil }
  mutating func releaseFrame(_ frame: PhysicalFrame) { released.append(frame) }
}
