import KernelMemory
import KernelMemoryEmulation
import Testing

/// `RegionTable` alone: positions, address lookup, gap search, slots, bulk removal, and a
/// seeded random run against a plain sorted array.
@Suite struct RegionTableTests {
  static let page = PageSize.size4KiB.bytes

  /// A one-kind region of `pages` pages at page number `first`.
  static func region(_ first: UInt64, pages: UInt64 = 1, charge: UInt64 = 0) -> Region {
    Region(
      VirtualRange(uncheckedStart: first * page, end: (first + pages) * page),
      protection: .read, kind: .anonymous, charge: charge)
  }

  @Test func insertRemoveAndSubscriptFollowPositions() {
    var table = RegionTable()
    #expect(table.isEmpty && table.count == 0)
    for number in stride(from: UInt64(0), to: 200, by: 2) {
      table.insert(Self.region(number, charge: 1), at: table.count)
    }
    table.insert(Self.region(1_001), at: 100)
    table.insert(Self.region(1_000), at: 100)
    #expect(table.count == 102 && table.totalCharge == 100 && table.isConsistent())
    #expect(table[0] == Self.region(0, charge: 1))
    #expect(table[50] == Self.region(100, charge: 1))
    #expect(table[100] == Self.region(1_000) && table[101] == Self.region(1_001))
    #expect(table.remove(at: 0) == Self.region(0, charge: 1))
    #expect(table[0] == Self.region(2, charge: 1) && table.totalCharge == 99)
    table[0] = Self.region(2, pages: 2, charge: 5)
    #expect(table[0].range.pageCount == 2 && table.totalCharge == 103 && table.isConsistent())
    #expect(Array(table).map(\.range.start) == (0..<table.count).map { table[$0].range.start })
  }

  @Test func firstIndexEndingAfterFindsTheContainingOrNextRegion() {
    let table = RegionTable((0..<10).map { Self.region(UInt64($0) * 10, pages: 3) })
    #expect(table.firstIndex(endingAfter: 0) == 0)
    #expect(table.firstIndex(endingAfter: 3 * Self.page - 1) == 0)
    #expect(table.firstIndex(endingAfter: 3 * Self.page) == 1)  // in the gap: the next one
    #expect(table.firstIndex(endingAfter: 95 * Self.page) == 10)  // past the last: count
    #expect(table.slot(containing: 41 * Self.page)?.region == Self.region(40, pages: 3))
    #expect(table.slot(containing: 45 * Self.page) == nil)
  }

  @Test func lastIndexAfterGapFindsTheHighestWideEnoughGapBelowTheLimit() {
    // Gaps (in pages) before each region: 5 (from the floor), 1, 4, 1, 2.
    let starts: [UInt64] = [5, 7, 12, 14, 17]
    let table = RegionTable(starts.map { Self.region($0) })
    let page = Self.page
    #expect(table.lastIndex(afterGapOf: page, below: 5, floor: 0) == 4)
    #expect(table.lastIndex(afterGapOf: 3 * page, below: 5, floor: 0) == 2)
    #expect(table.lastIndex(afterGapOf: 3 * page, below: 2, floor: 0) == 0)
    #expect(table.lastIndex(afterGapOf: 5 * page, below: 5, floor: 0) == 0)
    #expect(table.lastIndex(afterGapOf: 5 * page, below: 5, floor: page) == nil)
    #expect(table.lastIndex(afterGapOf: page, below: 0, floor: 0) == nil)
  }

  /// A slot is a hint: after its region goes, it answers nothing, never a wrong region.
  @Test func slotsAreHintsThatNeverLie() {
    var table = RegionTable((0..<8).map { Self.region(UInt64($0) * 4) })
    let (slot, region) = table.slot(containing: 8 * Self.page)!
    #expect(region == Self.region(8))
    #expect(table.region(inSlot: slot, containing: 8 * Self.page) == region)
    #expect(table.region(inSlot: slot, containing: 12 * Self.page) == nil)
    table.remove(at: 2)
    #expect(table.region(inSlot: slot, containing: 8 * Self.page) == nil)
    table.insert(Self.region(9), at: 2)  // may reuse the slot: still right
    #expect(table.region(inSlot: slot, containing: 8 * Self.page) == nil)
    #expect(table.region(inSlot: -1, containing: 0) == nil)
    #expect(table.region(inSlot: 1_000, containing: 0) == nil)
  }

  @Test func removeSubrangeFewOrManyKeepsTheRest() {
    var table = RegionTable((0..<1_000).map { Self.region(UInt64($0) * 2, charge: 1) })
    table.removeSubrange(10..<20)  // a few: one by one
    #expect(table.count == 990 && table[10] == Self.region(40, charge: 1) && table.isConsistent())
    let removedAddress = 500 * Self.page
    let removedSlot = table.slot(containing: removedAddress)!.slot
    let keptAddress = 1_900 * Self.page
    let keptSlot = table.slot(containing: keptAddress)!.slot
    table.removeSubrange(100..<900)  // many: rebuilt
    // Slots remembered before the rebuild still never name a wrong region.
    #expect(table.region(inSlot: removedSlot, containing: removedAddress) == nil)
    let kept = table.region(inSlot: keptSlot, containing: keptAddress)
    #expect(kept == nil || kept == Self.region(1_900, charge: 1))
    #expect(table.count == 190 && table.totalCharge == 190 && table.isConsistent())
    #expect(table[99] == Self.region(218, charge: 1) && table[100] == Self.region(1_820, charge: 1))
    table.removeAll()
    #expect(table.isEmpty && table.totalCharge == 0 && table.isConsistent())
  }

  /// Ascending and descending insertion (the worst cases for an unbalanced tree) stay at
  /// logarithmic height: checked through `isConsistent`, which verifies the AVL balance.
  @Test func sortedInsertionStaysBalanced() {
    var ascending = RegionTable()
    var descending = RegionTable()
    for number in 0..<2_048 {
      ascending.insert(Self.region(UInt64(number) * 2), at: number)
      descending.insert(Self.region(UInt64(4_096 - number) * 2), at: 0)
    }
    #expect(ascending.isConsistent() && descending.isConsistent())
    for _ in 0..<1_024 { ascending.remove(at: 0) }
    #expect(ascending.isConsistent() && ascending[0] == Self.region(2_048))
  }

  /// Thousands of random inserts, removals, replacements and queries, each compared with a
  /// sorted array doing the same thing the obvious way.
  @Test(arguments: [UInt64(1), 2, 3])
  func randomOperationsMatchASortedArray(seed: UInt64) {
    var random = SplitMix64(seed: seed)
    var table = RegionTable()
    var model: [Region] = []
    let universe: UInt64 = 16_384  // pages
    var largest = 0
    for step in 0..<6_000 {
      largest = max(largest, model.count)
      switch random.next(below: 20) {
      case 0...9:
        let first = random.next(below: universe)
        let pages = 1 + random.next(below: 4)
        let region = Self.region(first, pages: pages, charge: random.next(below: 5))
        let index = model.firstIndex { $0.range.end > region.range.start } ?? model.count
        guard region.range.end <= universe * Self.page,
          index == model.count || model[index].range.start >= region.range.end
        else { break }
        model.insert(region, at: index)
        table.insert(region, at: index)
      case 10...12 where !model.isEmpty:
        let index = Int(random.next(below: UInt64(model.count)))
        #expect(table.remove(at: index) == model.remove(at: index))
      case 13...14 where !model.isEmpty:
        let index = Int(random.next(below: UInt64(model.count)))
        let old = model[index]
        let shrunk = Self.region(
          old.range.start / Self.page, pages: max(1, old.range.pageCount / 2),
          charge: random.next(below: 5))
        model[index] = shrunk
        table[index] = shrunk
      case 15 where model.count > 2:
        let low = Int(random.next(below: UInt64(model.count)))
        let high = low + Int(random.next(below: UInt64(model.count - low) / 8 + 1))
        model.removeSubrange(low..<high)
        table.removeSubrange(low..<high)
      default:
        Self.expectQueriesAgree(table, model, &random)
      }
      if step % 500 == 0 { #expect(table.isConsistent()) }
    }
    #expect(Array(table) == model && table.isConsistent())
    #expect(largest > 250)  // deep enough (height 9+) for rotations at every level
  }

  /// Address lookups, gap searches and totals agree with linear scans of `model`.
  static func expectQueriesAgree(
    _ table: RegionTable, _ model: [Region], _ random: inout SplitMix64
  ) {
    #expect(table.count == model.count)
    #expect(table.totalCharge == model.reduce(0) { $0 + $1.charge })
    let address = random.next(below: 16_500 * page)
    let expected = model.firstIndex { $0.range.end > address } ?? model.count
    #expect(table.firstIndex(endingAfter: address) == expected)
    #expect(table.slot(containing: address)?.region == model.first { $0.range.contains(address) })
    let width = (1 + random.next(below: 6)) * page
    let limit = Int(random.next(below: UInt64(model.count) + 1))
    let floor = random.next(below: 2) * page
    let gapIndex = (0..<limit).last { index in
      let before = index == 0 ? floor : model[index - 1].range.end
      return model[index].range.start >= before + width
    }
    #expect(table.lastIndex(afterGapOf: width, below: limit, floor: floor) == gapIndex)
    if !model.isEmpty {
      let index = Int(random.next(below: UInt64(model.count)))
      #expect(table[index] == model[index])
    }
  }
}

extension SplitMix64 {
  /// A number in `0..<bound`.
  fileprivate mutating func next(below bound: UInt64) -> UInt64 { next() % bound }
}
