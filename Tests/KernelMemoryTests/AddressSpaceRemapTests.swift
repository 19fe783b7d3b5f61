import KernelMemory
import KernelMemoryEmulation
import Testing

/// `remap` (`mremap`): the commit follows the pages, and Linux's answers for the ranges.
@Suite struct AddressSpaceRemapTests {
  let page = PageSize.size4KiB.bytes

  /// The space is sound: the ledger holds the regions' charges, every region with pages is
  /// charged its worst case, and committed memory covers what is resident.
  func isSound(_ machine: TestMachine) -> Bool {
    machine.commit.committed == machine.space.committedFrames
      && machine.space.commitAudit().isEmpty
      && machine.space.committedFrames >= machine.space.residentFrames
  }

  @Test func aProtNoneMoveKeepsTheCommitOfItsPages() throws {
    let machine = TestMachine()
    let source = try machine.space.reserve(
      length: 64 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    for index in 0..<64 { machine.touch(source.start + UInt64(index) * page, .write, value: 3) }
    try machine.space.protect(
      start: source.start, length: source.length, protection: .none)
    let moved = try machine.space.remap(
      start: source.start, oldLength: source.length, newLength: source.length,
      placement: .fixed(0x4000_0000))
    #expect(moved == 0x4000_0000)
    #expect(machine.space.residentFrames == 64)
    #expect(isSound(machine), "\(machine.space.commitAudit())")
    #expect(machine.space.region(containing: moved)?.isCommitted == true)
    try machine.space.protect(
      start: moved, length: source.length, protection: .read)
    #expect(machine.readByte(moved + 63 * page) == 3)
    #expect(machine.tearDownIsClean())
  }

  /// The program in small: rounds of write everything, PROT_NONE, move. The ledger must
  /// refuse a reservation before any demand fault finds no frame.
  @Test func repeatedProtNoneMovesNeverOutrunTheFrames() throws {
    let machine = TestMachine(megabytes: 16, commitLimit: 4000)
    let pages: UInt64 = 512
    var rounds = 0
    for round in 0..<16 {
      let length = pages * page
      let base: UInt64 = 0x1000_0000 + UInt64(round) * 0x100_0000
      do {
        _ = try machine.space.reserve(
          length: length, protection: [.read, .write], at: .fixed(base))
      } catch {
        #expect(error == .outOfMemory)
        break
      }
      for index in 0..<pages {
        let outcome = machine.touch(base + index * page, .write, value: UInt8(round + 1))
        #expect(outcome == .completed, "round \(round), page \(index): \(outcome)")
        guard outcome == .completed else { return }
      }
      try machine.space.protect(
        start: base, length: length, protection: .none)
      _ = try machine.space.remap(
        start: base, oldLength: length, newLength: length, placement: .fixed(base + 0x80_0000))
      #expect(isSound(machine))
      rounds += 1
    }
    #expect(rounds >= 3 && rounds < 16)
    #expect(machine.tearDownIsClean())
  }

  /// A move charges only what it adds: a mapping holding most of the commit can still move.
  @Test func aMoveHandsItsChargeToTheTarget() throws {
    let machine = TestMachine(megabytes: 16, commitLimit: 2000)
    let length = 1200 * page
    let source = try machine.space.reserve(
      length: length, protection: [.read, .write], at: .fixed(0x40_0000))
    for index in stride(from: 0, to: 1200, by: 100) {
      machine.touch(source.start + UInt64(index) * page, .write, value: 5)
    }
    let moved = try machine.space.remap(
      start: source.start, oldLength: length, newLength: length, placement: .mayMove)
    #expect(moved == source.start)  // same size: nothing to do
    let grown = try machine.space.remap(
      start: source.start, oldLength: length, newLength: length + page,
      placement: .fixed(0x1000_0000))
    #expect(grown == 0x1000_0000)
    #expect(machine.readByte(grown + 1100 * page) == 5)
    #expect(machine.space.region(containing: source.start) == nil)
    #expect(isSound(machine))
    #expect(machine.tearDownIsClean())
  }

  @Test func growingACommittedProtNoneRegionCommitsTheNewPartAndMerges() throws {
    let machine = TestMachine()
    let source = try machine.space.reserve(
      length: 4 * page, protection: [.read, .write], at: .fixed(0x40_0000))
    machine.touch(source.start, .write, value: 1)
    try machine.space.protect(
      start: source.start, length: source.length, protection: .none)
    let grown = try machine.space.remap(
      start: source.start, oldLength: 4 * page, newLength: 8 * page, placement: .inPlace)
    #expect(grown == source.start)
    #expect(machine.space.regions.count == 1)
    #expect(machine.space.regions[0].isCommitted == true)
    #expect(isSound(machine))
    #expect(machine.tearDownIsClean())
  }

  /// Linux checks only that the address is mapped before a shrink (or same-size) remap: the
  /// old range may cross regions, holes and the end of the mapping.
  @Test func shrinkingChecksOnlyTheStartAddress() throws {
    let machine = TestMachine()
    let base: UInt64 = 0x40_0000
    _ = try machine.space.reserve(
      length: 2 * page, protection: [.read, .write], at: .fixed(base))
    _ = try machine.space.reserve(
      length: 2 * page, protection: .read, at: .fixed(base + 2 * page))
    // Same size across two regions and past the end: nothing changes.
    #expect(
      try machine.space.remap(
        start: base, oldLength: 8 * page, newLength: 8 * page, placement: .inPlace) == base)
    #expect(machine.space.regions.count == 2)
    // Growing across them: the old range is not one mapping.
    #expect(throws: AddressSpaceError.notOneMapping) {
      try machine.space.remap(
        start: base, oldLength: 4 * page, newLength: 8 * page, placement: .mayMove)
    }
    // Shrink across both and past the end: everything after the first page goes.
    #expect(
      try machine.space.remap(
        start: base, oldLength: 8 * page, newLength: page, placement: .inPlace) == base)
    #expect(machine.space.regions.count == 1 && machine.space.regions[0].range.length == page)
    #expect(throws: AddressSpaceError.notOneMapping) {
      try machine.space.remap(
        start: base + page, oldLength: page, newLength: page, placement: .inPlace)
    }
    #expect(isSound(machine))
    #expect(machine.tearDownIsClean())
  }

  /// `MREMAP_FIXED` unmaps the target first, as Linux does, even when the move then fails.
  @Test func aFixedMoveReleasesItsTargetEvenWhenItFails() throws {
    let machine = TestMachine()
    let base: UInt64 = 0x40_0000
    _ = try machine.space.reserve(
      length: 2 * page, protection: [.read, .write], at: .fixed(base))
    _ = try machine.space.reserve(
      length: 2 * page, protection: .read, at: .fixed(base + 2 * page))
    let target: UInt64 = 0x80_0000
    _ = try machine.space.reserve(
      length: 4 * page, protection: .read, at: .fixed(target))
    #expect(throws: AddressSpaceError.notOneMapping) {
      try machine.space.remap(
        start: base, oldLength: 4 * page, newLength: 4 * page, placement: .fixed(target))
    }
    #expect(machine.space.region(containing: target) == nil)
    #expect(isSound(machine))
    #expect(machine.tearDownIsClean())
  }
}
