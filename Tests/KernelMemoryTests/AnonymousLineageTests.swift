import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// The anonymous reverse map (`AnonymousLineageTable`): after every step of fork trees,
/// splits, merges, moves, unmaps and exits, the lineage of each region finds exactly the
/// leaves, in every other space, that map each frame shared after fork; and swap-out takes a
/// shared page out of every space at once.
@Suite struct AnonymousLineageTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000
  static let pages: UInt64 = 16

  /// What is wrong with the lineage map of `processes` (every live space of the machine):
  /// its members against the regions (each region with a lineage a member of it, nothing
  /// else), and for every private page mapped in more than one space, the leaves
  /// `lineageLeaves` finds against those that map its frame (found by reading every page
  /// table). Nil when exact.
  static func audit(_ processes: [TestProcess], _ physical: TestMachine.Physical) -> String? {
    var expected: [UInt32: Set<ObjectMapping>] = [:]
    var holders: [UInt64: Set<LineageLeaf>] = [:]
    for process in processes {
      let space = process.space
      for region in space.regions {
        if let lineage = region.lineage {
          expected[lineage.slot, default: []].insert(space.lineageMember(region))
        }
        guard region.sharesPrivatePagesAtFork else { continue }
        var address = region.range.start
        while address < region.range.end {
          if let frame = process.frame(at: address), frame != physical.zeroPage {
            holders[frame.number, default: []].insert(
              LineageLeaf(space: space.spaceID, address: address))
          }
          address += page
        }
      }
    }
    if physical.lineages.count != expected.count {
      return "\(physical.lineages.count) lineages, \(expected.count) named by regions"
    }
    for (slot, members) in expected {
      let recorded = physical.lineages.members(of: AnonymousLineageID(slot: slot))
      if Set(recorded.all) != members || recorded.count != members.count
        || !recorded.isConsistent
      {
        return "lineage \(slot): members \(recorded.all), regions \(members)"
      }
    }
    let byID = Dictionary(uniqueKeysWithValues: processes.map { ($0.space.spaceID, $0) })
    for (_, leaves) in holders where leaves.count > 1 {
      for leaf in leaves {
        let found = Set(byID[leaf.space]!.space.lineageLeaves(ofPageAt: leaf.address))
        if found != leaves.subtracting([leaf]) {
          return "\(leaf.space) @\(String(leaf.address, radix: 16)) found \(found) of \(leaves)"
        }
      }
    }
    return nil
  }

  /// A process with `pages` private pages at `base`, each written with its index + 1.
  static func written(_ machine: TestMachine) throws -> TestProcess {
    let process = TestProcess(machine)
    _ = try process.space.reserve(
      length: pages * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<pages { process.write(base + index * page, UInt8(index + 1)) }
    return process
  }

  @Test func aForkTreeFindsEveryLeafOfEachSharedFrame() throws {
    let machine = TestMachine(megabytes: 8)
    let parent = try Self.written(machine)
    #expect(machine.physical.lineages.isEmpty)  // nothing shared before the first fork
    let child = try parent.fork(machine)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    // Each side's first touch unshares its table: the frames are mapped by two leaves now.
    _ = child.read(Self.base)
    _ = parent.read(Self.base)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    let grandchild = try child.fork(machine)
    _ = grandchild.read(Self.base + Self.page)
    let second = try parent.fork(machine)
    _ = second.read(Self.base)
    var all = [parent, child, grandchild, second]
    #expect(Self.audit(all, machine.physical) == nil)
    // Copy-on-write breaks: the copies are each space's own; the rest still shared.
    child.write(Self.base + 2 * Self.page, 0xc2)
    grandchild.write(Self.base + 3 * Self.page, 0xd3)
    parent.write(Self.base + 4 * Self.page, 0xa4)
    #expect(Self.audit(all, machine.physical) == nil)
    let lineage = parent.space.region(containing: Self.base)!.lineage!
    #expect(machine.physical.lineages.memberCount(of: lineage) == 4)
    #expect(child.space.region(containing: Self.base)!.lineage == lineage)
    child.space.tearDown()  // exit
    all.remove(at: 1)
    #expect(Self.audit(all, machine.physical) == nil)
    #expect(machine.physical.lineages.memberCount(of: lineage) == 3)
    grandchild.space.tearDown()
    second.space.tearDown()
    #expect(Self.audit([parent], machine.physical) == nil)
    #expect(machine.tearDownIsClean())
    #expect(machine.physical.lineages.isEmpty)
  }

  @Test func splitsAndMergesKeepEachPieceAtItsLineagePages() throws {
    let machine = TestMachine(megabytes: 8)
    let parent = try Self.written(machine)
    let child = try parent.fork(machine)
    for index in 0..<Self.pages { _ = child.read(Self.base + index * Self.page) }
    // mprotect splits the child's region in three, then merges it back.
    try child.space.protect(
      start: Self.base + 4 * Self.page, length: 4 * Self.page, protection: .read)
    #expect(child.space.regions.count == 3)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    try parent.space.protect(start: Self.base + 6 * Self.page, length: Self.page, protection: .read)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    try child.space.protect(
      start: Self.base + 4 * Self.page, length: 4 * Self.page, protection: [.read, .write])
    #expect(child.space.regions.count == 1)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    // munmap of a middle part splits and removes; a fresh mapping there joins the lineage
    // by merging (its pages were never shared).
    try child.space.release(start: Self.base + 8 * Self.page, length: 2 * Self.page)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    _ = try child.space.reserve(
      length: 2 * Self.page, protection: [.read, .write], at: .fixed(Self.base + 8 * Self.page))
    child.write(Self.base + 8 * Self.page, 0xee)
    #expect(child.space.regions.count == 1)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func aMovedRegionKeepsTheLineagePagesOfItsFrames() throws {
    let machine = TestMachine(megabytes: 8)
    let parent = try Self.written(machine)
    let child = try parent.fork(machine)
    _ = parent.read(Self.base)
    // mremap moves part of the child's region elsewhere (growing it): the frames go along.
    let target = try child.space.remap(
      start: Self.base + 4 * Self.page, oldLength: 4 * Self.page, newLength: 64 * Self.page,
      placement: .mayMove)
    #expect(target != Self.base + 4 * Self.page)
    #expect(child.read(target + Self.page) == 6)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    let frame = parent.frame(at: Self.base + 5 * Self.page)
    #expect(child.frame(at: target + Self.page) == frame)
    #expect(
      parent.space.lineageLeaves(ofPageAt: Self.base + 5 * Self.page)
        == [LineageLeaf(space: child.space.spaceID, address: target + Self.page)])
    // The parent moves its copy too; a third generation forks from the moved child.
    let moved = try parent.space.remap(
      start: Self.base, oldLength: Self.pages * Self.page, newLength: 32 * Self.page,
      placement: .mayMove)
    let grandchild = try child.fork(machine)
    _ = grandchild.read(target)
    _ = parent.read(moved + 5 * Self.page)
    #expect(Self.audit([parent, child, grandchild], machine.physical) == nil)
    grandchild.space.tearDown()
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func regionsOfTwoLineagesDoNotMerge() throws {
    let machine = TestMachine(megabytes: 8)
    let process = TestProcess(machine)
    _ = try process.space.reserve(
      length: 4 * Self.page, protection: .read, at: .fixed(Self.base))
    _ = try process.space.reserve(
      length: 4 * Self.page, protection: [.read, .write], at: .fixed(Self.base + 4 * Self.page))
    let child = try process.fork(machine)  // two regions, two lineages
    try process.space.protect(start: Self.base, length: 4 * Self.page, protection: [.read, .write])
    #expect(process.space.regions.count == 2)
    #expect(Self.audit([process, child], machine.physical) == nil)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  /// Swap-out of a page shared after fork takes it out of both spaces at once: its frame is
  /// free when the write completes, and both fault it back from the one slot.
  @Test func swapOutOfASharedPageFreesTheFrameAtCompletion() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let parent = TestProcess(machine.machine)
    _ = try parent.space.reserve(
      length: 2 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    machine.write(parent, Self.base, 0x5a)
    machine.write(parent, Self.base + Self.page, 0x5b)
    let child = try parent.fork(machine.machine)
    machine.write(child, Self.base + Self.page, 0x6b)  // the child's own table: two leaves
    let frame = parent.frame(at: Self.base)!
    #expect(machine.physical.frameTable[frame].mapCount == 2)
    let outstanding = machine.machine.frames.outstandingCount
    var batch = SwapOutBatch()
    let result = parent.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: Self.base + Self.page), into: &batch)
    #expect(result.pagesUnmapped == 1 && batch.pageCount == 1)
    #expect(child.frame(at: Self.base) == nil)  // the child's leaf went with the parent's
    #expect(child.space.swappedPages == 1 && parent.space.swappedPages == 1)
    let slot = batch.transfers[0].firstSlot
    #expect(machine.swap.slots.references(of: slot) == 2)
    machine.writeOut(batch)
    #expect(machine.physical.frameTable[frame] == .unused)
    #expect(machine.machine.frames.outstandingCount == outstanding - 1)  // the frame is free
    #expect(machine.disk.pagesWritten == 1)
    #expect(machine.slotAudit([parent, child]) == nil)
    // Both fault it back from the same slot, with the same bytes: one read.
    #expect(machine.read(child, Self.base) == 0x5a)
    #expect(machine.read(parent, Self.base) == 0x5a)
    #expect(machine.disk.pagesRead >= 1 && machine.swap.pagesRead == UInt64(machine.disk.pagesRead))
    #expect(parent.frame(at: Self.base) == child.frame(at: Self.base))
    #expect(machine.slotAudit([parent, child]) == nil)
    #expect(Self.audit([parent, child], machine.physical) == nil)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// A page read back from swap into a clean copy that parent and child both map again
  /// leaves both spaces without a second write: the lineage takes the child's unaccessed
  /// leaf, the frame leaves the swap cache (whose hold on the slot the entries now have) and
  /// is freed; nothing of the slot is left once both are gone. (Merging the lineage with the
  /// clean copies once freed such a frame still linked from the cache: a slot leaked per
  /// page, 13,525 in a four-process system test.)
  @Test func aCleanCopySharedAfterForkLeavesBothSpacesWithoutAWrite() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let parent = TestProcess(machine.machine)
    _ = try parent.space.reserve(
      length: Self.page, protection: [.read, .write], at: .fixed(Self.base))
    machine.write(parent, Self.base, 0x5a)
    let child = try parent.fork(machine.machine)
    _ = machine.read(child, Self.base)  // the child's own table
    let range = VirtualRange(uncheckedStart: Self.base, end: Self.base + Self.page)
    var batch = SwapOutBatch()
    _ = parent.space.swapOut(range, into: &batch)
    machine.writeOut(batch)
    #expect(machine.read(child, Self.base) == 0x5a && machine.read(parent, Self.base) == 0x5a)
    let frame = try #require(parent.frame(at: Self.base))
    #expect(child.frame(at: Self.base) == frame && machine.physical.frameTable[frame].mapCount == 2)
    var clearing = SwapOutBatch()
    _ = child.space.swapOut(range, into: &clearing, secondChance: true)  // its accessed bit
    #expect(clearing.isEmpty && child.frame(at: Self.base) == frame)
    var again = SwapOutBatch()
    _ = parent.space.swapOut(range, into: &again)
    #expect(again.isEmpty)  // a clean copy: nothing to write
    #expect(child.frame(at: Self.base) == nil && parent.frame(at: Self.base) == nil)
    #expect(machine.physical.frameTable[frame] == .unused)
    #expect(machine.slotAudit([parent, child]) == nil)
    #expect(machine.read(child, Self.base) == 0x5a && machine.read(parent, Self.base) == 0x5a)
    #expect(machine.disk.pagesWritten == 1)
    #expect(machine.slotAudit([parent, child]) == nil)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// Three children and their parent share every page; swapping the parent's range out
  /// writes each page once and frees every frame, and each space reads the same bytes back.
  @Test func aFamilyOfFourSharesOneWritePerPage() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let parent = TestProcess(machine.machine)
    let count: UInt64 = 8
    _ = try parent.space.reserve(
      length: count * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    for index in 0..<count {
      machine.write(parent, Self.base + index * Self.page, UInt8(index + 1))
    }
    var family = [parent]
    for _ in 0..<3 { family.append(try parent.fork(machine.machine)) }
    for process in family { _ = machine.read(process, Self.base) }  // each its own table
    var batch = SwapOutBatch()
    _ = parent.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: Self.base + count * Self.page), into: &batch)
    for process in family { #expect(process.space.swappedPages == count) }
    machine.writeOut(batch)
    #expect(machine.disk.pagesWritten == Int(count))
    #expect(machine.slotAudit(family) == nil)
    for process in family {
      for index in 0..<count {
        #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
      }
    }
    #expect(machine.disk.pagesWritten == Int(count))
    #expect(machine.slotAudit(family) == nil)
    #expect(Self.audit(family, machine.physical) == nil)
    for child in family.dropFirst() { child.space.tearDown() }
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }
}
