import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// Issue 12's traffic target — no more pages written to and read from swap than Linux — one
/// rule at a time: a page swapped in by a read stays a clean copy of its slot (evicting it
/// again writes nothing), the read-ahead window follows its hits (random access reads one
/// slot per fault), and a read's completion maps the page (no second fault).
@Suite struct SwapTrafficTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  /// `pages` private pages at `base`, page `i` written with `i + 1`, all swapped out and
  /// written.
  static func swappedOut(pages: UInt64, slots: Int = 1024) throws -> (SwapMachine, TestProcess) {
    let machine = SwapMachine(megabytes: 4, slots: slots)
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: pages * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<pages { machine.write(process, base + index * page, UInt8(index + 1)) }
    swapOut(machine, process, pages: pages)
    return (machine, process)
  }

  static func swapOut(_ machine: SwapMachine, _ process: TestProcess, pages: UInt64) {
    var batch = SwapOutBatch()
    _ = process.space.swapOut(
      VirtualRange(uncheckedStart: base, end: base + pages * page), into: &batch)
    machine.writeOut(batch)
  }

  @Test func aCleanSwappedInPageIsEvictedAgainWithoutAWrite() throws {
    let (machine, process) = try Self.swappedOut(pages: 8)
    #expect(machine.disk.pagesWritten == 8)
    for index in 0..<UInt64(8) {
      #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
    }
    let free = machine.freeFrames
    Self.swapOut(machine, process, pages: 8)
    #expect(machine.disk.pagesWritten == 8)  // nothing rewritten
    #expect(machine.freeFrames == free + 8)  // yet every frame came back
    #expect(process.space.swappedPages == 8 && machine.slotAudit([process]) == nil)
    for index in 0..<UInt64(8) {
      #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func theFirstWriteToAKeptCopyClaimsItInPlaceGivesTheSlotUpAndIsWrittenNextTime()
    throws
  {
    let (machine, process) = try Self.swappedOut(pages: 1)
    #expect(machine.read(process, Self.base) == 1)
    let frame = process.frame(at: Self.base)
    #expect(machine.physical.frameTable[frame!].state.contains(.swapCache))
    #expect(process.flags(at: Self.base)?.contains(.writable) == false)
    #expect(machine.swap.slots.usedSlots == 1 && machine.slotAudit([process]) == nil)
    #expect(machine.write(process, Self.base, 0x77) == .completed)
    #expect(process.frame(at: Self.base) == frame)  // claimed, not copied
    #expect(machine.physical.frameTable[frame!].state == .anonymousExclusive)
    #expect(machine.swap.slots.usedSlots == 0)
    Self.swapOut(machine, process, pages: 1)
    #expect(machine.disk.pagesWritten == 2)  // its new contents are written
    #expect(machine.read(process, Self.base) == 0x77)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func aWriteFaultOnASwappedPageMapsItWritableAndExclusiveWithoutItsSlot() throws {
    let (machine, process) = try Self.swappedOut(pages: 1)
    #expect(machine.write(process, Self.base, 0x42) == .completed)
    let frame = process.frame(at: Self.base)
    #expect(machine.physical.frameTable[frame!].state == .anonymousExclusive)
    #expect(process.flags(at: Self.base)?.contains(.writable) == true)
    #expect(machine.swap.slots.usedSlots == 0)
    #expect(machine.machine.tearDownIsClean())
  }

  /// Past half full (Linux's `vm_swap_full`), swap-in gives the slot back at once.
  @Test func withSwapHalfFullAReadGivesTheSlotBack() throws {
    let (machine, process) = try Self.swappedOut(pages: 8, slots: 9)  // 8 usable, all used
    #expect(machine.read(process, Self.base) == 1)
    #expect(machine.swap.slots.usedSlots == 7)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// munmap of a kept copy frees its frame and the slot the cache kept for it.
  @Test func unmappingAKeptCopyFreesItsSlot() throws {
    let (machine, process) = try Self.swappedOut(pages: 2)
    #expect(machine.read(process, Self.base) == 1)
    #expect(machine.swap.slots.usedSlots == 2)
    try process.space.release(start: Self.base, length: Self.page)
    #expect(machine.swap.slots.usedSlots == 1 && machine.slotAudit([process]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// Random faults (no read-ahead hits, no neighbouring slots) read their own slot only, as
  /// Linux's `swapin_nr_pages` answers without hits.
  @Test func randomAccessReadsOneSlotPerFault() throws {
    let pages: UInt64 = 32
    let (machine, process) = try Self.swappedOut(pages: pages)
    let order: [UInt64] = [17, 5, 30, 12, 25, 8, 3, 22, 10, 28]
    for index in order {
      #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.disk.pagesRead == order.count)
    #expect(machine.machine.tearDownIsClean())
  }

  /// Sequential faults find their pages read ahead, and the window grows to the cluster.
  @Test func sequentialAccessGrowsTheReadAheadWindowToTheCluster() throws {
    let pages: UInt64 = 32
    let (machine, process) = try Self.swappedOut(pages: pages)
    for index in 0..<pages {
      #expect(machine.read(process, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.disk.pagesRead == Int(pages))  // every page read once
    #expect(machine.swapReads <= Int(pages) / SwapArea.readAheadCluster + 3)  // 1, 2, 4, 8, ...
    #expect(machine.swap.readAheadHits == machine.swap.readAheadPages)
    #expect(machine.machine.tearDownIsClean())
  }

  /// The completion maps the faulting page: the instruction's retry does not fault again.
  @Test func theReadsCompletionMapsTheFaultingPage() throws {
    let (machine, process) = try Self.swappedOut(pages: 1)
    guard case .swapRequested(.read(let read)) = process.access(Self.base, .read) else {
      Issue.record("no read was asked for")
      return
    }
    let resolution = process.space.completeSwapIn(read, succeeded: machine.disk.read(read.transfer))
    #expect(resolution == .resolved(.swapIn))
    #expect(process.frame(at: Self.base) != nil && process.space.swappedPages == 0)
    #expect(process.read(Self.base) == 1)
    #expect(machine.machine.tearDownIsClean())
  }

  /// A page unmapped while its read was under way is not mapped by the completion.
  @Test func aCompletionForAPageUnmappedMeanwhileMapsNothing() throws {
    let (machine, process) = try Self.swappedOut(pages: 2)
    guard case .swapRequested(.read(let read)) = process.access(Self.base, .read) else {
      Issue.record("no read was asked for")
      return
    }
    try process.space.release(start: Self.base, length: Self.page)
    let resolution = process.space.completeSwapIn(read, succeeded: machine.disk.read(read.transfer))
    #expect(resolution == .resolved(.alreadyMapped))
    #expect(process.frame(at: Self.base) == nil && machine.slotAudit([process]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// A full area still lets reclaim free the clean copies in the range it walks, even past
  /// the pages that found no slot.
  @Test func aFullAreaStillFreesCleanCopiesPastPagesWithoutSlots() throws {
    let machine = SwapMachine(megabytes: 4, slots: 5)  // 4 usable
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: 8 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    for index in 0..<UInt64(8) { machine.write(process, Self.base + index * Self.page, 9) }
    let last = Self.base + 7 * Self.page
    var batch = SwapOutBatch()
    _ = process.space.swapOut(
      VirtualRange(uncheckedStart: last, end: last + Self.page), into: &batch)
    machine.writeOut(batch)
    #expect(machine.read(process, last) == 9)  // a kept copy (1 of 4 slots used)
    batch = SwapOutBatch()
    let first = process.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: last), into: &batch)
    machine.writeOut(batch)
    #expect(first.pagesUnmapped == 3 && first.stopped == .swapFull)  // slots 2-4
    batch = SwapOutBatch()
    let again = process.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: last + Self.page), into: &batch)
    #expect(again.pagesUnmapped == 1 && again.framesFreed == 1 && again.stopped == .swapFull)
    #expect(batch.isEmpty && machine.disk.pagesWritten == 4)
    #expect(machine.read(process, last) == 9 && machine.slotAudit([process]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }
}
