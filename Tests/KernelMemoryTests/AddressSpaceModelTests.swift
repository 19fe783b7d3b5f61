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
  struct ModelPage {
    var protection: Protection
    /// The last byte written at the page's first checked offset; nil: never written (reads 0).
    var value: UInt8?
  }

  struct Model {
    var pages: [UInt64: ModelPage] = [:]

    func allReserved(_ range: Range<UInt64>) -> Bool { range.allSatisfy { pages[$0] != nil } }
    func anyReserved(_ range: Range<UInt64>) -> Bool { range.contains { pages[$0] != nil } }
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
        length: length, protection: protection, at: placement, commit: &machine.commit,
        frames: &machine.frames)
    } catch {
      #expect(!replace && error == .overlapsExisting && model.anyReserved(pages))
      return
    }
    #expect(replace || !model.anyReserved(pages))
    for index in pages { model.pages[index] = ModelPage(protection: protection, value: nil) }
  }

  func release(_ pages: Range<UInt64>, _ machine: TestMachine, _ model: inout Model) throws {
    try machine.space.release(
      start: Self.address(ofPage: pages.lowerBound), length: UInt64(pages.count) * Self.page,
      commit: &machine.commit, frames: &machine.frames)
    for index in pages { model.pages[index] = nil }
  }

  func protect(
    _ pages: Range<UInt64>, _ protection: Protection, _ machine: TestMachine, _ model: inout Model
  ) throws {
    do {
      try machine.space.protect(
        start: Self.address(ofPage: pages.lowerBound), length: UInt64(pages.count) * Self.page,
        protection: protection, commit: &machine.commit)
    } catch {
      #expect(error == .notReserved && !model.allReserved(pages))
      return
    }
    #expect(model.allReserved(pages))
    for index in pages { model.pages[index]!.protection = protection }
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
    #expect(machine.commit.committed == space.committedFrames)
    for (earlier, later) in zip(space.regions, space.regions.dropFirst()) {
      #expect(earlier.range.end <= later.range.start)
    }
    guard thorough else { return }
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
