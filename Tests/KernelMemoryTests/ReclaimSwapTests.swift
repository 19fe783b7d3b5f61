import KernelMemory
import KernelMemoryEmulation
import Testing

/// The reclaim clock driving swap-out (`ageMemory(swappingInto:)`): cold private pages —
/// untouched for a revolution of the hand — go to swap, recently used ones stay; under a
/// working set larger than RAM every page's contents survive, frames and slots accounted.
@Suite struct ReclaimSwapTests {
  static let page = PageSize.size4KiB.bytes

  /// Free frames the clock keeps before each access (the kernel's safe point). The
  /// `SwapMachine`'s own clock is switched off (`watermark` 0): this one replaces it.
  static let keepFree = 16

  /// Reclaims with the clock until `keepFree` frames are free: read-ahead copies first, then
  /// aging passes whose cold pages are written out. Fails the test if the hands go round
  /// many times without freeing anything.
  static func reclaimWithClock(_ machine: SwapMachine) {
    machine.watermark = 0
    var idle = 0
    while machine.freeFrames < Self.keepFree {
      if machine.physical.dropReadAhead(limit: Self.keepFree - machine.freeFrames) > 0 {
        continue
      }
      let before = machine.freeFrames
      var batch = SwapOutBatch()
      _ = machine.physical.ageMemory(budget: 64, wanted: 0, swappingInto: &batch)
      machine.writeOut(batch)
      if machine.freeFrames > before {
        idle = 0
      } else {
        idle += 1
        precondition(idle < 64, "the clock freed nothing")
      }
    }
  }

  /// `value` at `address` of `process`, reclaiming first (the kernel's safe point).
  static func write(
    _ machine: SwapMachine, _ process: TestProcess, _ address: UInt64, _ value: UInt8
  ) {
    reclaimWithClock(machine)
    #expect(machine.write(process, address, value) == .completed)
  }

  static func read(_ machine: SwapMachine, _ process: TestProcess, _ address: UInt64) -> UInt8? {
    reclaimWithClock(machine)
    return machine.read(process, address)
  }

  static func value(_ page: UInt64, _ seed: UInt64) -> UInt8 {
    UInt8(truncatingIfNeeded: page &* 131 &+ seed)
  }

  @Test func coldPagesGoToSwapAndAUsedOneStays() throws {
    let machine = SwapMachine(megabytes: 4, slots: 256)
    let process = TestProcess(machine.machine)
    let pages: UInt64 = 16
    let range = try process.space.reserve(length: pages * Self.page, protection: [.read, .write])
    for index in 0..<pages { machine.write(process, range.start + index * Self.page, UInt8(index)) }
    var batch = SwapOutBatch()
    // First revolution: every page was used — bits cleared, nothing swapped.
    let first = machine.physical.ageMemory(budget: 1 << 20, wanted: 0, swappingInto: &batch)
    #expect(first.referenced == Int(pages) && first.pagesQueued == 0 && batch.isEmpty)
    // Page 3 is used again; the second revolution swaps out the other fifteen.
    #expect(machine.read(process, range.start + 3 * Self.page) == 3)
    let second = machine.physical.ageMemory(budget: 1 << 20, wanted: 0, swappingInto: &batch)
    #expect(second.pagesQueued == Int(pages) - 1)
    #expect(batch.pageCount == Int(pages) - 1)
    #expect(batch.transfers.count <= 2)  // neighbouring pages, neighbouring slots
    machine.writeOut(batch)
    #expect(process.space.swappedPages == pages - 1)
    #expect(process.frame(at: range.start + 3 * Self.page) != nil)
    for index in 0..<pages {
      #expect(machine.read(process, range.start + index * Self.page) == UInt8(index))
    }
    #expect(machine.slotAudit([process]) == nil)
    process.space.tearDown()
    #expect(machine.swap.slots.freeSlots == machine.swap.slots.usableSlots)
  }

  @Test func aWorkingSetLargerThanRamSurvivesTheClockThenAFork() throws {
    let machine = SwapMachine(megabytes: 2, slots: 4096)
    let parent = TestProcess(machine.machine)
    let ramPages = UInt64(machine.poolFrames)
    let pages = ramPages * 5 / 2  // 2.5 x RAM
    let range = try parent.space.reserve(length: pages * Self.page, protection: [.read, .write])
    for index in 0..<pages {
      Self.write(machine, parent, range.start + index * Self.page, Self.value(index, 1))
    }
    #expect(parent.space.swappedPages > 0)
    for index in 0..<pages {
      #expect(Self.read(machine, parent, range.start + index * Self.page) == Self.value(index, 1))
    }
    var state: UInt64 = 7
    for _ in 0..<pages {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let index = (state >> 33) % pages
      #expect(Self.read(machine, parent, range.start + index * Self.page) == Self.value(index, 1))
    }
    // Fork: the child writes every other page, the parent every third; each sees its own.
    let child = try parent.fork(machine.machine)
    for index in stride(from: 0, to: pages, by: 2) {
      Self.write(machine, child, range.start + index * Self.page, Self.value(index, 2))
    }
    for index in stride(from: 0, to: pages, by: 3) {
      Self.write(machine, parent, range.start + index * Self.page, Self.value(index, 3))
    }
    for index in 0..<pages {
      let address = range.start + index * Self.page
      #expect(Self.read(machine, child, address) == Self.value(index, index % 2 == 0 ? 2 : 1))
      #expect(Self.read(machine, parent, address) == Self.value(index, index % 3 == 0 ? 3 : 1))
    }
    #expect(machine.slotAudit([parent, child]) == nil)
    child.space.tearDown()
    parent.space.tearDown()
    _ = machine.physical.dropReadAhead(limit: Int.max)
    #expect(machine.swap.slots.freeSlots == machine.swap.slots.usableSlots)
  }
}
