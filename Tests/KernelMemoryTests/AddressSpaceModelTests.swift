import KernelMemory
import KernelMemoryEmulation
import Testing

/// Model-based tests: long seeded random sequences of operations on the real code, checked
/// after every step against a reference model simple enough to be obviously right.
///
/// The arena straddles a 2 MiB, a 1 GiB and the 512 GiB boundary, so page-table creation and
/// reclamation at every level is exercised. A failing seed replays exactly.
@Suite struct AddressSpaceModelTests {
  static let page = PageSize.size4KiB.bytes
  /// 2048 pages (8 MiB) centred on the 512 GiB boundary.
  static let arenaStart: UInt64 = 0x80_0000_0000 - 1024 * page
  static let arenaPages: UInt64 = 2048
  static let steps = 100_000

  /// What the model knows about one reserved page.
  struct ModelPage: Equatable {
    var protection: Protection
    /// The last byte written at the page's first checked offset; nil: never written (reads 0).
    var value: UInt8?
    /// Whether the page is charged to the commit ledger: Linux's `VM_ACCOUNT`. Set when it is
    /// reserved or made accessible, kept whatever its protection becomes, carried by `mremap`.
    var committed: Bool
  }

  struct Model {
    var pages: [UInt64: ModelPage] = [:]

    func allReserved(_ range: Range<UInt64>) -> Bool { range.allSatisfy { pages[$0] != nil } }
    func anyReserved(_ range: Range<UInt64>) -> Bool { range.contains { pages[$0] != nil } }

    /// Whether two neighbouring pages belong to one region: same protection, same commit.
    func sameRegion(_ first: UInt64, _ second: UInt64) -> Bool {
      guard let a = pages[first], let b = pages[second] else { return false }
      return a.protection == b.protection && a.committed == b.committed
    }

    /// The end of the region containing page `index` (one past its last page).
    func regionEnd(from index: UInt64) -> UInt64 {
      var end = index + 1
      while sameRegion(end - 1, end) { end += 1 }
      return end
    }

    /// The first page at or after `index` that is not reserved (or `limit`).
    func reservedRunEnd(from index: UInt64, limit: UInt64) -> UInt64 {
      var end = index
      while end < limit, pages[end] != nil { end += 1 }
      return end
    }
  }

  static let protections: [Protection] = [
    .none, .read, [.read, .write], [.read, .execute], [.read, .write, .execute],
  ]

  static func address(ofPage index: UInt64) -> UInt64 { arenaStart + index * page }

  @Test(arguments: [UInt64(1), 2])
  func randomOperationsMatchTheModel(seed: UInt64) throws {
    var random = SplitMix64(seed: seed)
    let machine = TestMachine(megabytes: 64)
    var model = Model()
    for step in 0..<Self.steps {
      let first = random.next() % Self.arenaPages
      let count = 1 + random.next() % min(64, Self.arenaPages - first)
      let pages = first..<(first + count)
      let protection = Self.protections[Int(random.next() % UInt64(Self.protections.count))]
      switch random.next() % 10 {
      case 0: try reserveFixed(pages, protection, machine, &model, replace: random.next() % 2 == 0)
      case 1: try release(pages, machine, &model)
      case 2: try protect(pages, protection, machine, &model)
      case 3: try remap(pages, &random, machine, &model)
      default:
        let index = first
        let access: AccessKind = [.read, .write, .execute][Int(random.next() % 3)]
        touch(index, access, UInt8(truncatingIfNeeded: step | 1), machine, &model)
      }
      try checkInvariants(machine, model, thorough: step % 256 == 0)
    }
    #expect(machine.tearDownIsClean())
  }

  func reserveFixed(
    _ pages: Range<UInt64>, _ protection: Protection, _ machine: TestMachine, _ model: inout Model,
    replace: Bool
  ) throws {
    let start = Self.address(ofPage: pages.lowerBound)
    let length = UInt64(pages.count) * Self.page
    let placement: Placement = replace ? .fixed(start) : .fixedNoReplace(start)
    do {
      _ = try machine.space.reserve(
        length: length, protection: protection, at: placement)
    } catch {
      #expect(!replace && error == .overlapsExisting && model.anyReserved(pages))
      return
    }
    #expect(replace || !model.anyReserved(pages))
    for index in pages {
      model.pages[index] = ModelPage(
        protection: protection, value: nil, committed: !protection.isEmpty)
    }
  }

  func release(_ pages: Range<UInt64>, _ machine: TestMachine, _ model: inout Model) throws {
    try machine.space.release(
      start: Self.address(ofPage: pages.lowerBound), length: UInt64(pages.count) * Self.page)
    for index in pages { model.pages[index] = nil }
  }

  func protect(
    _ pages: Range<UInt64>, _ protection: Protection, _ machine: TestMachine, _ model: inout Model
  ) throws {
    // Linux's order: the pages up to the first hole change, then a hole is ENOMEM.
    let changed =
      pages.lowerBound..<model.reservedRunEnd(from: pages.lowerBound, limit: pages.upperBound)
    do {
      try machine.space.protect(
        start: Self.address(ofPage: pages.lowerBound), length: UInt64(pages.count) * Self.page,
        protection: protection)
      #expect(changed == pages)
    } catch {
      #expect(error == .notReserved && changed != pages)
    }
    for index in changed {
      model.pages[index]!.protection = protection
      if !protection.isEmpty { model.pages[index]!.committed = true }
    }
  }

  /// `mremap` of a random reserved page's mapping: shrink, grow in place or by moving (out of
  /// the arena: checked, then released), or move to a fixed place in the arena.
  func remap(
    _ pages: Range<UInt64>, _ random: inout SplitMix64, _ machine: TestMachine,
    _ model: inout Model
  ) throws {
    let first = pages.lowerBound
    let oldCount = UInt64(pages.count)
    let newCount = 1 + random.next() % min(64, Self.arenaPages - first)
    var placement: RemapPlacement = random.next() % 2 == 0 ? .inPlace : .mayMove
    var destination: UInt64? = nil
    if random.next() % 3 == 0 {
      // A fixed target that does not overlap the old range (LinuxABI refuses that with EINVAL).
      let candidate = random.next() % (Self.arenaPages - newCount + 1)
      if candidate + newCount <= first || candidate >= first + oldCount {
        destination = candidate
        placement = .fixed(Self.address(ofPage: candidate))
      }
    }
    let expected = predictRemap(
      first, oldCount, newCount, destination, placement, &model)
    let result: UInt64
    do {
      result = try machine.space.remap(
        start: Self.address(ofPage: first), oldLength: oldCount * Self.page,
        newLength: newCount * Self.page, placement: placement)
    } catch {
      #expect(expected == .failure(error), "remap \(first) \(oldCount)->\(newCount) \(placement)")
      return
    }
    switch expected {
    case .inArena(let page):
      #expect(result == Self.address(ofPage: page), "remap \(first) \(oldCount)->\(newCount)")
    case .movedAway(let moved):
      // Moved out of the arena: every page kept its contents; then it goes away.
      for (offset, page) in moved.enumerated() where page.protection.permits(.read) {
        #expect(machine.readByte(result + UInt64(offset) * Self.page) == (page.value ?? 0))
      }
      try machine.space.release(
        start: result, length: newCount * Self.page)
    case .failure(let error):
      Issue.record("remap succeeded, the model expected \(error)")
    }
  }

  enum RemapOutcome: Equatable {
    case inArena(UInt64)
    case movedAway([ModelPage])
    case failure(AddressSpaceError)
  }

  /// What `remap` must do, applied to the model (Linux's mremap, step by step).
  func predictRemap(
    _ first: UInt64, _ oldCount: UInt64, _ newCount: UInt64, _ destination: UInt64?,
    _ placement: RemapPlacement, _ model: inout Model
  ) -> RemapOutcome {
    guard model.pages[first] != nil else { return .failure(.notOneMapping) }
    var kept = oldCount
    if let destination {
      for index in destination..<(destination + newCount) { model.pages[index] = nil }
    } else if newCount <= oldCount {
      for index in (first + newCount)..<(first + oldCount) { model.pages[index] = nil }
      return .inArena(first)
    }
    if newCount < oldCount {
      for index in (first + newCount)..<(first + oldCount) { model.pages[index] = nil }
      kept = newCount
    }
    guard model.pages[first] != nil, model.regionEnd(from: first) >= first + kept else {
      return .failure(.notOneMapping)
    }
    let source = (first..<(first + kept)).map { model.pages[$0]! }
    var grown = source[0]
    grown.value = nil
    let moved = source + Array(repeating: grown, count: Int(newCount - kept))
    if destination == nil {
      let end = first + kept
      if model.regionEnd(from: first) == end, !model.anyReserved(end..<(first + newCount)) {
        for index in end..<(first + newCount) { model.pages[index] = grown }
        return .inArena(first)
      }
      guard placement == .mayMove else { return .failure(.outOfMemory) }
    }
    for index in first..<(first + kept) { model.pages[index] = nil }
    guard let destination else { return .movedAway(moved) }
    for (offset, page) in moved.enumerated() { model.pages[destination + UInt64(offset)] = page }
    return .inArena(destination)
  }

  func touch(
    _ index: UInt64, _ access: AccessKind, _ value: UInt8, _ machine: TestMachine,
    _ model: inout Model
  ) {
    let address = Self.address(ofPage: index)
    let outcome = machine.touch(address, access, value: value)
    guard let page = model.pages[index] else {
      #expect(outcome == .killed(KillReason(kind: .notMapped, address: address, access: access)))
      return
    }
    guard page.protection.permits(access) else {
      #expect(
        outcome == .killed(KillReason(kind: .accessViolation, address: address, access: access)))
      return
    }
    #expect(outcome == .completed)
    switch access {
    case .write: model.pages[index]!.value = value
    case .read, .execute:
      let read = try? machine.mmu.read(at: VirtualAddress(address)!, mode: .user).get()
      #expect(read == (page.value ?? 0))
    }
  }

  func checkInvariants(_ machine: TestMachine, _ model: Model, thorough: Bool) throws {
    let space = machine.space
    // The commit invariant: the ledger holds exactly the regions' charges, and every region
    // with a backed page or an accessible protection is charged its worst case.
    #expect(machine.commit.committed == space.committedFrames)
    #expect(space.commitAudit().isEmpty, "regions breaking the commit: \(space.commitAudit())")
    for (earlier, later) in zip(space.regions, space.regions.dropFirst()) {
      #expect(earlier.range.end <= later.range.start)
    }
    guard thorough else { return }
    checkRegionsMatch(Array(space.regions), model)
    var privateFrames: UInt64 = 0
    let arena = VirtualRange(
      uncheckedStart: Self.arenaStart, end: Self.address(ofPage: Self.arenaPages))
    space.pageMap.forEachMapping(in: arena) { mapping in
      let index = (mapping.page.value - Self.arenaStart) / Self.page
      let isZeroPage = mapping.frameAddress.frame == machine.zeroPage
      if !isZeroPage { privateFrames += 1 }
      guard let page = model.pages[index] else {
        Issue.record("\(mapping) is mapped but not reserved")
        return
      }
      var expected = page.protection.leafFlags
      if isZeroPage { expected.remove(.writable) }
      #expect(mapping.flags.intersection([.present, .user, .writable, .noExecute]) == expected)
    }
    #expect(privateFrames == space.residentFrames)
    #expect(space.pageMap.occupancyCountsAreConsistent())
    #expect(machine.mmu.staleEntries().isEmpty)
    #expect(space.regions.reduce(0) { $0 + $1.range.pageCount } == UInt64(model.pages.count))
  }
}

extension AddressSpaceModelTests {
  /// Each region is a maximal run of model pages with its protection and commit.
  func checkRegionsMatch(_ regions: [Region], _ model: Model) {
    for region in regions {
      let first = (region.range.start - Self.arenaStart) / Self.page
      let last = first + region.range.pageCount - 1
      for index in first...last {
        let page = model.pages[index]
        #expect(
          page?.protection == region.protection && page?.committed == region.isCommitted,
          "page \(index) of \(region) is \(String(describing: page))")
      }
      #expect(first == 0 || !model.sameRegion(first - 1, first), "\(region) is not maximal")
      #expect(!model.sameRegion(last, last + 1), "\(region) is not maximal")
    }
  }
}

/// The same idea one level down: random map / unmap / protect on a bare `PageMap`.
@Suite struct PageMapModelTests {
  @Test func randomMappingsMatchTheModel() throws {
    var random = SplitMix64(seed: 7)
    let ram = EmulatedRAM(megabytes: 32, contents: .poison)
    let frames = CountingFrameSource(
      wrapping: SimpleFramePool(ram: ram, first: PhysicalFrame(number: 4096), count: 4096))
    var source = frames
    let map = try PageMap(memory: ram, frames: &source)
    let mmu = SoftwareMMU(ram: ram, rootTable: map.root)
    var model: [UInt64: (frame: UInt64, writable: Bool)] = [:]
    // Pages spread over several PML4 slots and both sides of 1 GiB boundaries.
    func address(_ slot: UInt64) -> VirtualAddress {
      VirtualAddress((slot % 4) << 39 | (slot / 4 % 4) << 30 | (slot / 16) << 12 | 0x1000_0000)!
    }
    for _ in 0..<100_000 {
      let slot = random.next() % 256
      let page = address(slot)
      let frame = 100 + random.next() % 1000
      switch random.next() % 3 {
      case 0:
        let writable = random.next() % 2 == 0
        let flags: PageTableFlags = writable ? [.user, .writable] : [.user]
        do {
          try map.map(page, to: PhysicalFrame(number: frame), flags: flags, frames: &source)
          #expect(model[slot] == nil)
          model[slot] = (frame, writable)
        } catch {
          #expect(error == .alreadyMapped && model[slot] != nil)
        }
      case 1:
        do {
          let unmapped = try map.unmap(page)
          #expect(unmapped.flush(mmu, returningTablesTo: &source).number == model[slot]?.frame)
          model[slot] = nil
        } catch {
          #expect(error == .notMapped && model[slot] == nil)
        }
      default:
        #expect(random.next() % 64 != 0 || map.occupancyCountsAreConsistent())
        let writes = mmu.write(1, at: page, mode: .user).fault == nil
        #expect(writes == (model[slot]?.writable ?? false))
        #expect(map.translate(page)?.frame.number == model[slot]?.frame)
      }
    }
    map.tearDownUserPart(mmu, frames: &source) { _ in false }
    #expect(frames.outstandingCount == 1)
  }
}
