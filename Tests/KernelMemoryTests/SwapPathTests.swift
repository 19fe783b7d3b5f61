import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// Every path that meets a swapped page: fork and copy-on-write, munmap, madvise, mremap,
/// mprotect, exit; the swap cache's rules; device errors; commit = RAM + swap.
@Suite struct SwapPathTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  /// `pages` private pages at `base` written with `index + 1`, all swapped out and written.
  static func swappedOut(pages: UInt64 = 8) throws -> (SwapMachine, TestProcess) {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: pages * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<pages { machine.write(process, base + index * page, UInt8(index + 1)) }
    swapOut(machine, process, pages: pages)
    return (machine, process)
  }

  static func swapOut(_ machine: SwapMachine, _ process: TestProcess, pages: UInt64 = 8) {
    var batch = SwapOutBatch()
    _ = process.space.swapOut(
      VirtualRange(uncheckedStart: base, end: base + pages * page), into: &batch)
    machine.writeOut(batch)
  }

  static func info(_ machine: SwapMachine, _ frame: PhysicalFrame?) -> FrameInfo {
    machine.physical.frameTable[frame!]
  }

  @Test func aPageSharedAfterForkIsSwappedOnceAndBothSidesReadIt() throws {
    let (machine, parent) = try Self.swappedOut(pages: 4)
    _ = machine.read(parent, Self.base)  // back in, then out again below with the child
    let child = try parent.fork(machine.machine)
    Self.swapOut(machine, parent, pages: 4)  // unshares the parent's table: two leaves
    let written = machine.disk.pagesWritten
    Self.swapOut(machine, child, pages: 4)
    #expect(machine.disk.pagesWritten == written)  // the child's leaves only took references
    #expect(machine.slotAudit([parent, child]) == nil)
    for index in 0..<UInt64(4) {
      #expect(machine.read(child, Self.base + index * Self.page) == UInt8(index + 1))
      #expect(machine.read(parent, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.slotAudit([parent, child]) == nil)
    child.space.tearDown()
    #expect(machine.slotAudit([parent]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func copyOnWriteOfASwappedPageSharedAfterForkKeepsEachSidesContents() throws {
    let (machine, parent) = try Self.swappedOut(pages: 2)
    let child = try parent.fork(machine.machine)  // the swap entry is in a shared table
    #expect(machine.write(child, Self.base, 0xc1) == .completed)
    #expect(machine.read(parent, Self.base) == 1)
    #expect(machine.write(parent, Self.base + Self.page, 0xa2) == .completed)
    #expect(machine.read(child, Self.base + Self.page) == 2)
    #expect(
      machine.read(child, Self.base) == 0xc1 && machine.read(parent, Self.base + Self.page) == 0xa2)
    #expect(machine.slotAudit([parent, child]) == nil)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// The swap cache's frame is what the slot's other holders will map: a write by the one
  /// leaf mapping it must copy it, not claim it (`mayClaimExclusive`).
  @Test func aWriteToASwapCacheFrameCopiesItSoTheSlotsOtherHolderKeepsItsPage() throws {
    let (machine, parent) = try Self.swappedOut(pages: 1)
    let child = try parent.fork(machine.machine)
    #expect(machine.read(child, Self.base) == 1)  // the child's own table: slot held twice
    let cached = child.frame(at: Self.base)
    #expect(Self.info(machine, cached).state.contains(.swapCache))
    #expect(machine.write(child, Self.base, 0xc1) == .completed)
    #expect(child.frame(at: Self.base) != cached)
    #expect(machine.read(parent, Self.base) == 1)
    #expect(parent.frame(at: Self.base) == cached)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean())
  }

  /// A read keeps the slot (a clean copy, SwapTrafficTests); a write takes the page whole.
  @Test func theLastHolderWritingMapsTheCachedPageWritableAndExclusive() throws {
    let (machine, process) = try Self.swappedOut(pages: 1)
    #expect(machine.write(process, Self.base, 1) == .completed)
    let frame = process.frame(at: Self.base)
    #expect(Self.info(machine, frame).state == .anonymousExclusive)
    #expect(process.flags(at: Self.base)?.contains(.writable) == true)
    #expect(machine.swap.slots.usedSlots == 0)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func munmapMadviseAndBrkOfSwappedPagesGiveTheirSlotsBack() throws {
    let (machine, process) = try Self.swappedOut(pages: 8)
    #expect(machine.swap.slots.usedSlots == 8)
    try process.space.release(start: Self.base, length: 2 * Self.page)
    #expect(machine.swap.slots.usedSlots == 6 && process.space.swappedPages == 6)
    try process.space.advise(
      VirtualRange(uncheckedStart: Self.base + 2 * Self.page, end: Self.base + 4 * Self.page),
      .dontNeed)
    #expect(machine.swap.slots.usedSlots == 4)
    #expect(machine.read(process, Self.base + 2 * Self.page) == 0)  // reads zeros, as Linux
    #expect(machine.read(process, Self.base + 4 * Self.page) == 5)
    #expect(machine.slotAudit([process]) == nil)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func mremapMovesSwapEntriesAndMprotectAppliesAtSwapIn() throws {
    let (machine, process) = try Self.swappedOut(pages: 4)
    let moved = try process.space.remap(
      start: Self.base, oldLength: 4 * Self.page, newLength: 8 * Self.page, placement: .mayMove)
    let target = moved
    #expect(machine.slotAudit([process]) == nil && process.space.swappedPages == 4)
    try process.space.protect(start: target, length: 4 * Self.page, protection: .read)
    #expect(machine.read(process, target + 3 * Self.page) == 4)
    #expect(process.flags(at: target + 3 * Self.page)?.contains(.writable) == false)
    guard case .killed = machine.write(process, target, 9) else {
      Issue.record("a write to a read-only swapped page was allowed")
      return
    }
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func exitOfSharersReturnsEveryFrameAndSlot() throws {
    let (machine, parent) = try Self.swappedOut(pages: 8)
    let child = try parent.fork(machine.machine)
    let grandchild = try child.fork(machine.machine)
    #expect(machine.read(grandchild, Self.base) == 1)
    #expect(machine.write(child, Self.base + Self.page, 7) == .completed)
    Self.swapOut(machine, child)
    #expect(machine.slotAudit([parent, child, grandchild]) == nil)
    child.space.tearDown()
    grandchild.space.tearDown()
    #expect(machine.slotAudit([parent]) == nil)
    #expect(machine.read(parent, Self.base + Self.page) == 2)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func aFailedWriteKeepsThePageInMemoryAndARetryWritesIt() throws {
    let machine = SwapMachine(megabytes: 4, slots: 64)
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: 2 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    machine.write(process, Self.base, 0x11)
    machine.disk.failWrites = true
    Self.swapOut(machine, process, pages: 1)
    #expect(machine.swap.ioErrors == 1 && machine.disk.pagesWritten == 0)
    // Findable through the cache: the page comes back without a read.
    #expect(machine.read(process, Self.base) == 0x11 && machine.disk.pagesRead == 0)
    Self.swapOut(machine, process, pages: 1)  // the last leaf again: rewritten, fails again
    #expect(machine.swap.ioErrors == 2)
    machine.disk.failWrites = false
    var retry = SwapOutBatch()
    #expect(machine.physical.takeFailedWrites(into: &retry) == 1)
    machine.writeOut(retry)
    #expect(machine.disk.pagesWritten == 1)
    #expect(machine.read(process, Self.base) == 0x11 && machine.disk.pagesRead == 1)
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  /// The kill names the swap read as its reason (`.swapReadError`; the kernel sends SIGBUS).
  @Test func aFailedReadIsABusErrorForTheFaulterOnlyAndThePageStaysOnSwap() throws {
    let (machine, parent) = try Self.swappedOut(pages: 2)
    let child = try parent.fork(machine.machine)
    machine.disk.failReads = true
    #expect(
      machine.access(child, Self.base, .read)
        == .killed(KillReason(kind: .swapReadError, address: Self.base, access: .read)))
    #expect(machine.slotAudit([parent, child]) == nil)
    machine.disk.failReads = false
    #expect(machine.read(parent, Self.base) == 1 && machine.read(child, Self.base) == 1)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean() && machine.swap.slots.usedSlots == 0)
  }

  @Test func aSecondFaultOnAPageUnderReadWaitsAndTheReadIsDoneOnce() throws {
    let (machine, parent) = try Self.swappedOut(pages: 1)
    let child = try parent.fork(machine.machine)
    guard case .swapRequested(.read(let read)) = child.access(Self.base, .read) else {
      Issue.record("no read was asked for")
      return
    }
    guard case .swapRequested(.waitForRead(let slot)) = parent.access(Self.base, .read) else {
      Issue.record("the second fault did not wait")
      return
    }
    #expect(slot == read.transfer.firstSlot)
    machine.physical.completeSwapIn(read, succeeded: machine.disk.read(read.transfer))
    #expect(machine.read(parent, Self.base) == 1 && machine.read(child, Self.base) == 1)
    #expect(machine.disk.pagesRead == 1)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func aFaultDuringTheWriteMapsThePageAndTheCompletionKeepsIt() throws {
    let machine = SwapMachine(megabytes: 4, slots: 64)
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: Self.page, protection: [.read, .write], at: .fixed(Self.base))
    machine.write(process, Self.base, 0x33)
    var batch = SwapOutBatch()
    _ = process.space.swapOut(
      VirtualRange(uncheckedStart: Self.base, end: Self.base + Self.page), into: &batch)
    #expect(process.read(Self.base) == 0x33)  // from the cache, under write
    machine.writeOut(batch)
    #expect(process.read(Self.base) == 0x33 && machine.disk.pagesRead == 0)
    #expect(machine.swap.slots.usedSlots == 0)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func commitIsRAMPlusSwapAndAReservationBeyondItFails() throws {
    let machine = SwapMachine(megabytes: 4, slots: 2048)
    let ramPart = machine.machine.commit.limit - UInt64(machine.swap.slots.usableSlots)
    #expect(machine.machine.commit.limit == ramPart + 2047)
    let process = TestProcess(machine.machine)
    // Bigger than RAM, within RAM + swap.
    let big = try process.space.reserve(length: 1536 * Self.page, protection: [.read, .write])
    #expect(big.length == 1536 * Self.page)
    #expect(throws: AddressSpaceError.outOfMemory) {
      _ = try process.space.reserve(length: 2048 * Self.page, protection: [.read, .write])
    }
    #expect(machine.machine.tearDownIsClean())
  }
}

/// Running out of frames with a swap area is the reclaimer's cue, not a broken commit.
@Suite struct SwapFrameShortageTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  /// Takes every free frame of the pool, returning them.
  static func exhaust(_ machine: SwapMachine) -> [PhysicalFrame] {
    var taken: [PhysicalFrame] = []
    while let frame = machine.physical.allocateFrame() { taken.append(frame) }
    return taken
  }

  @Test func aDemandFaultAndACopyWithNoFreeFrameAskForReclaimAndThenComplete() throws {
    let machine = SwapMachine(megabytes: 4, slots: 256)
    let parent = TestProcess(machine.machine)
    _ = try parent.space.reserve(
      length: 4 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    machine.write(parent, Self.base, 1)
    let child = try parent.fork(machine.machine)
    machine.write(child, Self.base + Self.page, 2)  // the child's own table now
    let taken = Self.exhaust(machine)
    #expect(
      parent.access(Self.base + 2 * Self.page, .write, value: 3) == .swapRequested(.needsFrame))
    #expect(child.access(Self.base, .write, value: 4) == .swapRequested(.needsFrame))  // a copy
    for frame in taken { machine.physical.releaseFrame(frame) }
    #expect(machine.write(parent, Self.base + 2 * Self.page, 3) == .completed)
    #expect(machine.write(child, Self.base, 4) == .completed)
    #expect(machine.read(parent, Self.base) == 1 && machine.read(child, Self.base) == 4)
    child.space.tearDown()
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func aSwapInWithNoFreeFrameAsksForReclaim() throws {
    let (machine, process) = try SwapPathTests.swappedOut(pages: 2)
    let taken = Self.exhaust(machine)
    #expect(process.access(Self.base, .read) == .swapRequested(.needsFrame))
    for frame in taken { machine.physical.releaseFrame(frame) }
    #expect(machine.read(process, Self.base) == 1)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func secondChanceSparesPagesTouchedSinceTheLastPass() throws {
    let machine = SwapMachine(megabytes: 4, slots: 256)
    let process = TestProcess(machine.machine)
    _ = try process.space.reserve(
      length: 4 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    for index in 0..<UInt64(4) { machine.write(process, Self.base + index * Self.page, 9) }
    let range = VirtualRange(uncheckedStart: Self.base, end: Self.base + 4 * Self.page)
    var batch = SwapOutBatch()
    let first = process.space.swapOut(range, into: &batch, secondChance: true)
    #expect(first.recentlyUsed == 4 && first.pagesUnmapped == 0 && batch.isEmpty)
    #expect(machine.read(process, Self.base) == 9)  // touched again: the CPU sets the bit
    let second = process.space.swapOut(range, into: &batch, secondChance: true)
    #expect(second.recentlyUsed == 1 && second.pagesUnmapped == 3)
    machine.writeOut(batch)
    #expect(machine.read(process, Self.base + 3 * Self.page) == 9)
    #expect(machine.machine.tearDownIsClean())
  }
}
