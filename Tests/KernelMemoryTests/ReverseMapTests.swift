import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// Memory objects' reverse maps (`ObjectMappingTree`, `AddressSpace+ReverseMap.swift`): exact
/// through every region change in every space, and `unmapObjectPages` — so `MADV_REMOVE` is
/// seen by every process that maps the page, as on Linux.
@Suite struct ReverseMapTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000
  static func address(_ index: UInt64) -> UInt64 { base + index * page }

  /// A small deterministic generator (the model steps must replay).
  struct Generator {
    var state: UInt64
    mutating func next(_ bound: UInt64) -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return (state >> 33) % bound
    }
  }

  static func isClean(_ machine: TestMachine, _ processes: [TestProcess]) -> Bool {
    machine.physical.reverseMapAudit(of: processes.map(\.space)).isClean
  }

  // MARK: The tree

  /// The entry of a region of `pages` pages at `start` mapping object pages from `offset` on.
  static func entry(start: UInt64, offset: UInt64, pages: UInt64, space: UInt32) -> ObjectMapping {
    var region = Region(
      VirtualRange(uncheckedStart: start, end: start + pages * page), protection: .read,
      kind: .sharedAnonymous, charge: 0)
    region.objectOffset = offset
    return ObjectMapping(region, in: AddressSpaceID(slot: space))
  }

  @Test func theTreeMatchesAListThroughRandomInsertsAndRemoves() {
    var tree = ObjectMappingTree()
    var model: [ObjectMapping] = []
    var random = Generator(state: 7)
    for step in 0..<600 {
      if model.isEmpty || random.next(3) != 0 {
        let mapping = Self.entry(
          start: Self.base + random.next(1 << 20) * Self.page, offset: random.next(64),
          pages: 1 + random.next(16), space: UInt32(random.next(3)))
        if model.contains(mapping) { continue }
        tree.insert(mapping)
        model.append(mapping)
      } else {
        let victim = model.remove(at: Int(random.next(UInt64(model.count))))
        tree.remove(victim)
      }
      if step % 50 == 0 { #expect(tree.isConsistent) }
      let low = random.next(80)
      let range = low..<low + 1 + random.next(20)
      let expected = model.filter { $0.objectPages.overlaps(range) }.sorted()
      #expect(tree.overlapping(range) == expected)
    }
    #expect(tree.isConsistent)
    #expect(tree.all == model.sorted())
  }

  // MARK: MADV_REMOVE through every space

  @Test func removeInOneProcessIsSeenByEveryProcessAfterFork() throws {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 4 * Self.page, protection: [.read, .write], kind: .sharedAnonymous,
      at: .fixed(Self.base))
    parent.write(Self.address(1), 0x11)
    parent.write(Self.address(2), 0x22)
    let child = try parent.fork(machine)
    let grandchild = try child.fork(machine)
    // The child and the grandchild map the pages in tables of their own.
    #expect(child.write(Self.address(1), 0x12) == .completed([.unsharedTable]))
    #expect(grandchild.read(Self.address(1)) == 0x12)
    // The others take theirs too, so the remove below copies no table (tested elsewhere).
    #expect(grandchild.write(Self.address(2), 0x22) == .completed([.unsharedTable]))
    #expect(parent.write(Self.address(2), 0x22) == .completed([.unsharedTable]))
    let object = try #require(parent.space.regions[0].object)
    let framesBefore = machine.framesInUse
    let residentBefore = [parent, child, grandchild].map(\.space.residentFrames)
    try child.space.advise(VirtualRange(start: Self.address(1), length: Self.page), .remove)
    // Gone from every space's tables and from the object; its frame freed at once.
    for process in [parent, child, grandchild] {
      #expect(process.frame(at: Self.address(1)) == nil)
    }
    #expect(child.space.objectPage(object, at: 1) == nil)
    #expect(machine.framesInUse == framesBefore - 1)
    #expect(
      [parent, child, grandchild].map(\.space.residentFrames) == residentBefore.map { $0 - 1 })
    for process in [parent, child, grandchild] {
      #expect(process.read(Self.address(1)) == 0)
      #expect(process.read(Self.address(2)) == 0x22)
    }
    // One new page again, shared by all three.
    parent.write(Self.address(1), 0x33)
    #expect(grandchild.read(Self.address(1)) == 0x33)
    #expect(Self.isClean(machine, [parent, child, grandchild]))
    grandchild.space.tearDown()
    child.space.tearDown()
    #expect(Self.isClean(machine, [parent]))
    #expect(machine.tearDownIsClean())
  }

  @Test func unmappingAFilesPagesKeepsPrivateCopiesAndRefaultsTheCache() throws {
    let machine = TestMachine()
    let file = PageCacheTests.TestFile()
    let first = TestProcess(machine)
    let object = try PageCacheTests.mapFile(file, into: first)
    let second = try first.fork(machine)
    #expect(first.read(PageCacheTests.address(0)) == PageCacheTests.fileByte(0))
    first.write(PageCacheTests.address(1), 0x99)  // a private copy
    #expect(second.read(PageCacheTests.address(0)) == PageCacheTests.fileByte(0))
    let copy = try #require(first.frame(at: PageCacheTests.address(1)))
    let resident = first.space.residentFrames
    machine.physical.unmapObjectPages(object, offsets: 0..<file.contents.pageCount)
    #expect(first.frame(at: PageCacheTests.address(0)) == nil)
    #expect(second.frame(at: PageCacheTests.address(0)) == nil)
    #expect(first.frame(at: PageCacheTests.address(1)) == copy)
    // Pages 0 and 2 were the cache's (page 2 mapped around the read of page 0).
    #expect(first.space.residentFrames == resident - 2)
    #expect(first.read(PageCacheTests.address(0)) == PageCacheTests.fileByte(0))
    #expect(first.read(PageCacheTests.address(1)) == 0x99)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [first, second]))
    #expect(Self.isClean(machine, [first, second]))
    second.space.tearDown()
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  // MARK: The model: many spaces, every region change

  /// Random forks, exits, `mprotect` splits, `mremap` moves, `munmap`s, writes and
  /// `MADV_REMOVE`s over two shared objects; after every step the reverse maps equal the
  /// regions, the ledger holds exactly the spaces' and objects' charges, and every process
  /// reads what the model says each object page holds.
  @Test(arguments: [1, 2, 3, 4] as [UInt64])
  func manySpacesSharingObjectsMatchTheModelAfterEveryStep(seed: UInt64) throws {
    let machine = TestMachine(megabytes: 32)
    var random = Generator(state: seed)
    var processes = [TestProcess(machine)]
    let objectPages: UInt64 = 16
    for first in [0, 32] as [UInt64] {
      _ = try processes[0].space.reserve(
        length: objectPages * Self.page, protection: [.read, .write], kind: .sharedAnonymous,
        at: .fixed(Self.address(first)))
    }
    var contents: [MemoryObjectID: [UInt64: UInt8]] = [:]
    var value: UInt8 = 1
    for step in 0..<120 {
      let process = processes[Int(random.next(UInt64(processes.count)))]
      let shared = process.space.regions.filter { $0.object != nil }
      let region = shared.isEmpty ? nil : shared[Int(random.next(UInt64(shared.count)))]
      switch random.next(8) {
      case 0 where processes.count < 6:
        processes.append(try process.fork(machine))
      case 1 where processes.count > 1:
        let index = 1 + Int(random.next(UInt64(processes.count - 1)))
        processes.remove(at: index).space.tearDown()
      case 2:
        guard let region else { break }
        let part = Self.part(of: region, &random)
        try process.space.protect(
          start: part.start, length: part.length,
          protection: random.next(2) == 0 ? .read : [.read, .write])
      case 3:
        guard let region else { break }
        let part = Self.part(of: region, &random)
        let target = 0x7000_0000 + random.next(64) * 32 * Self.page
        _ = try? process.space.remap(
          start: part.start, oldLength: part.length, newLength: part.length,
          placement: .fixed(target))
      case 4:
        let start = Self.address(random.next(64))
        try process.space.release(start: start, length: (1 + random.next(4)) * Self.page)
      case 5, 6:
        guard let region, region.protection.contains(.write) else { break }
        let page = region.range.start + random.next(region.range.pageCount) * Self.page
        value = value &+ 1
        guard case .completed = process.write(page, value) else {
          Issue.record("step \(step): a permitted write failed")
          break
        }
        contents[region.object!, default: [:]][region.objectPage(at: page)] = value
      default:
        guard let region else { break }
        let part = Self.part(of: region, &random)
        try process.space.advise(part, .remove)
        for offset in region.objectPage(at: part.start)..<region.objectPage(at: part.end) {
          contents[region.object!]?[offset] = nil
        }
      }
      let audit = machine.physical.reverseMapAudit(of: processes.map(\.space))
      #expect(audit.isClean, "step \(step): \(audit)")
      #expect(
        machine.commit.committed
          == processes.reduce(0) { $0 + $1.space.committedFrames }
          + machine.physical.objects.totalCharge)
      #expect(processes.allSatisfy { $0.space.commitAudit().isEmpty })
      for reader in processes {
        for region in reader.space.regions where region.object != nil {
          for index in 0..<region.range.pageCount {
            let page = region.range.start + index * Self.page
            let expected = contents[region.object!]?[region.objectPage(at: page)] ?? 0
            #expect(reader.read(page) == expected, "step \(step) reading \(page)")
          }
        }
      }
    }
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, processes))
    for process in processes.dropFirst() { process.space.tearDown() }
    processes.removeSubrange(1...)
    #expect(Self.isClean(machine, processes))
    #expect(machine.physical.spaces.count == 1)
    #expect(machine.tearDownIsClean())
  }

  /// A random non-empty run of `region`'s pages.
  static func part(of region: Region, _ random: inout Generator) -> VirtualRange {
    let pages = region.range.pageCount
    let first = random.next(pages)
    let count = 1 + random.next(pages - first)
    return VirtualRange(
      uncheckedStart: region.range.start + first * page,
      end: region.range.start + (first + count) * page)
  }
}
