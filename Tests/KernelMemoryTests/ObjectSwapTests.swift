import KernelMemory
import KernelMemoryEmulation
import Testing

/// Swapping memory-object pages (issue 12: "tmpfs pages are swap-backed"): tmpfs/memfd file
/// objects and shared anonymous memory, out through the private pages' batch and completion,
/// back through `objectSwapIn` (a `read` / `write`) or a fault; every word of every page
/// checked after each step, frames and slots counted back exactly, and the disk made to fail.
@Suite struct ObjectSwapTests {
  static let page = PageSize.size4KiB.bytes
  static let words = Int(page / 8)
  static let base: UInt64 = 0x4000_0000

  /// The word `word` of page `page` of version `version` of the data: every word differs.
  static func pattern(_ page: UInt64, _ word: Int, version: UInt64 = 1) -> UInt64 {
    (version << 56) ^ (page << 20) ^ UInt64(word) ^ 0x5A5A_0000_0000
  }

  static func fill(_ ram: EmulatedRAM, _ frame: PhysicalFrame, page: UInt64, version: UInt64 = 1) {
    for word in 0..<words {
      ram.store(
        pattern(page, word, version: version), at: frame.address.advanced(by: UInt64(word * 8)))
    }
  }

  /// Whether `frame` holds page `page`'s data of `version`, every word of it.
  static func holds(_ ram: EmulatedRAM, _ frame: PhysicalFrame, page: UInt64, version: UInt64 = 1)
    -> Bool
  {
    for word in 0..<words
    where ram.load(frame.address.advanced(by: UInt64(word * 8)))
      != pattern(page, word, version: version)
    {
      return false
    }
    return true
  }

  /// A file object of `pages` pages, each written with its pattern.
  static func file(_ machine: SwapMachine, pages: UInt64) throws -> MemoryObjectID {
    let physical = machine.physical
    let object = try physical.createFileObject(bytes: pages * page, through: machine.machine.ram)
    for index in 0..<pages {
      fill(
        machine.machine.ram, try physical.filePage(object, at: index, through: machine.machine.ram),
        page: index)
    }
    return object
  }

  /// Swaps out `offsets` of `object` and writes the batch; the pages queued.
  @discardableResult
  static func swapOut(_ machine: SwapMachine, _ object: MemoryObjectID, _ offsets: Range<UInt64>)
    -> UInt64
  {
    var batch = SwapOutBatch()
    let result = machine.physical.swapOutObjectPages(
      object, offsets: offsets, into: &batch, through: machine.machine.ram)
    machine.writeOut(batch)
    return result.pagesUnmapped
  }

  /// What the kernel's `read` / `write` of a file does before it copies (FileData.swapIn):
  /// asks `objectSwapIn` and carries out each read until the page is back. nil when a read
  /// failed (the call's EIO).
  static func ioFrame(_ machine: SwapMachine, _ object: MemoryObjectID, _ offset: UInt64)
    -> PhysicalFrame??
  {
    let ram = machine.machine.ram
    while let request = machine.physical.objectSwapIn(object, at: offset, through: ram) {
      switch request {
      case .read(let read):
        let succeeded = machine.disk.read(read.transfer)
        machine.physical.completeSwapIn(read, succeeded: succeeded)
        if !succeeded { return nil }
      case .waitForRead, .needsFrame:
        preconditionFailure("a single-threaded test with free frames: \(request)")
      }
    }
    return .some(machine.physical.residentPage(object, at: offset, through: ram))
  }

  /// Whether every page of `object` in `pages` reads back its `version` data through the I/O
  /// path.
  static func allReadBack(
    _ machine: SwapMachine, _ object: MemoryObjectID, _ pages: Range<UInt64>, version: UInt64 = 1
  ) -> Bool {
    for index in pages {
      guard case .some(.some(let frame)) = ioFrame(machine, object, index),
        holds(machine.machine.ram, frame, page: index, version: version)
      else { return false }
    }
    return true
  }

  @Test func aFileIsSwappedOutWholeAndReadBackWordForWord() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let before = machine.machine.frames.outstandingCount
    let object = try Self.file(machine, pages: 40)
    let written = machine.machine.frames.outstandingCount
    #expect(Self.swapOut(machine, object, 0..<40) == 40)
    #expect(machine.physical.objects[object].residentPages == 0)
    #expect(machine.physical.objects[object].swappedPages == 40)
    #expect(machine.machine.frames.outstandingCount == written - 40)  // every frame back
    #expect(machine.swap.slots.usedSlots == 40 && machine.disk.pagesWritten == 40)
    #expect(machine.disk.transfers == 1)  // neighbouring slots: one write
    #expect(machine.physical.residentPage(object, at: 7, through: machine.machine.ram) == nil)
    #expect(Self.allReadBack(machine, object, 0..<40))
    #expect(machine.disk.pagesRead == 40 && machine.disk.transfers == 1 + 5)  // 8 a read
    #expect(machine.physical.objects[object].residentPages == 40)
    #expect(machine.physical.objects[object].swappedPages == 0)
    #expect(machine.swap.slots.usedSlots == 0)  // a page back in its object frees its slot
    #expect(machine.machine.frames.outstandingCount == written)
    machine.physical.releaseFileObject(object, through: machine.machine.ram)
    #expect(machine.machine.frames.outstandingCount == before)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func truncationAndReleaseFreeTheSlotsOfSwappedPages() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let ram = machine.machine.ram
    let object = try Self.file(machine, pages: 32)
    Self.swapOut(machine, object, 0..<32)
    _ = Self.ioFrame(machine, object, 3)  // pages 3...10 read (7 ahead, cached)
    #expect(machine.swap.slots.usedSlots == 31)
    try machine.physical.resizeFileObject(object, toBytes: 10 * Self.page, through: ram)
    // Pages 10... went: their slots (and the read-ahead copies of 8...10) are free.
    #expect(machine.swap.slots.usedSlots == 9)
    #expect(machine.physical.objects[object].swappedPages == 9)
    #expect(Self.allReadBack(machine, object, 0..<10))
    Self.swapOut(machine, object, 0..<10)
    #expect(machine.swap.slots.usedSlots == 10)
    machine.physical.releaseFileObject(object, through: ram)  // the last link of the file
    #expect(machine.swap.slots.usedSlots == 0)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func aWriteDuringTheSwapWriteKeepsTheNewBytes() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let ram = machine.machine.ram
    let object = try Self.file(machine, pages: 4)
    let written = machine.machine.frames.outstandingCount
    var batch = SwapOutBatch()
    _ = machine.physical.swapOutObjectPages(object, offsets: 0..<4, into: &batch, through: ram)
    // A `write` reaches page 2 while its frame is still under write: it gets a copy.
    guard case .some(.some(let copy)) = Self.ioFrame(machine, object, 2) else {
      Issue.record("page 2 did not come back")
      return
    }
    #expect(Self.holds(ram, copy, page: 2))
    Self.fill(ram, copy, page: 2, version: 2)
    machine.writeOut(batch)
    #expect(machine.swap.slots.usedSlots == 3)  // page 2's slot went with its write
    #expect(machine.machine.frames.outstandingCount == written - 3)
    #expect(Self.allReadBack(machine, object, 0..<2) && Self.allReadBack(machine, object, 3..<4))
    #expect(Self.allReadBack(machine, object, 2..<3, version: 2))
    machine.physical.releaseFileObject(object, through: ram)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func aFailedWriteKeepsThePageAndAFailedReadKeepsTheSlot() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let ram = machine.machine.ram
    let object = try Self.file(machine, pages: 8)
    let written = machine.machine.frames.outstandingCount
    machine.disk.failWrites = true
    #expect(Self.swapOut(machine, object, 0..<8) == 8)
    #expect(machine.machine.frames.outstandingCount == written)  // the only copies stay
    #expect(machine.swap.ioErrors == 1)
    #expect(Self.allReadBack(machine, object, 0..<4))  // from the swap cache, no read
    #expect(machine.disk.pagesRead == 0 && machine.swap.slots.usedSlots == 4)
    // The retry of the failed writes (the kernel's next pass) succeeds for the rest.
    machine.disk.failWrites = false
    var retry = SwapOutBatch()
    #expect(machine.physical.takeFailedWrites(into: &retry) == 4)
    machine.writeOut(retry)
    #expect(machine.machine.frames.outstandingCount == written - 4)
    machine.disk.failReads = true
    #expect(Self.ioFrame(machine, object, 5) == nil)  // EIO
    #expect(machine.physical.objects[object].swappedPages == 4)  // nothing lost
    #expect(machine.machine.frames.outstandingCount == written - 4)
    machine.disk.failReads = false
    #expect(Self.allReadBack(machine, object, 0..<8))
    #expect(machine.swap.slots.usedSlots == 0)
    machine.physical.releaseFileObject(object, through: ram)
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func sharedMemoryLeavesEverySpaceAndComesBackByFault() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let parent = TestProcess(machine.machine)
    _ = try parent.space.reserve(
      length: 16 * Self.page, protection: [.read, .write], kind: .sharedAnonymous,
      at: .fixed(Self.base))
    for index in 0..<UInt64(16) {
      machine.write(parent, Self.base + index * Self.page, UInt8(index + 1))
    }
    let child = try parent.fork(machine.machine)
    #expect(machine.read(child, Self.base + 3 * Self.page) == 4)  // the child maps page 3 too
    let object = try #require(parent.space.regions.first { $0.object != nil }?.object)
    let written = machine.machine.frames.outstandingCount
    #expect(Self.swapOut(machine, object, 0..<16) == 16)
    #expect(parent.frame(at: Self.base + 3 * Self.page) == nil)
    #expect(child.frame(at: Self.base + 3 * Self.page) == nil)
    #expect(machine.machine.frames.outstandingCount <= written - 16)
    // The child faults them back from the disk; the parent then finds them in the object.
    for index in 0..<UInt64(16) {
      #expect(machine.read(child, Self.base + index * Self.page) == UInt8(index + 1))
    }
    let reads = machine.disk.pagesRead
    #expect(reads == 16)
    #expect(machine.write(parent, Self.base + 5 * Self.page, 0x77) == .completed)
    #expect(machine.read(child, Self.base + 5 * Self.page) == 0x77)  // one page, both spaces
    for index in 0..<UInt64(16) where index != 5 {
      #expect(machine.read(parent, Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(machine.disk.pagesRead == reads && machine.swap.slots.usedSlots == 0)
    // Swapped again and dropped by the last space's exit: every slot comes back.
    Self.swapOut(machine, object, 0..<16)
    #expect(machine.swap.slots.usedSlots == 16)
    child.space.tearDown()
    #expect(machine.swap.slots.usedSlots == 16)  // the parent still maps the object
    #expect(machine.read(parent, Self.base + 9 * Self.page) == 10)
    #expect(machine.machine.tearDownIsClean())
    #expect(machine.swap.slots.usedSlots == 0)
  }

  @Test func theObjectHandTakesUnmappedPagesAndLeavesMappedOnes() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let ram = machine.machine.ram
    let process = TestProcess(machine.machine)
    let object = try Self.file(machine, pages: 24)
    _ = try process.space.reserveSharedMapping(
      of: object, page: 0, length: 8 * Self.page, protection: [.read, .write], at: .fixed(Self.base)
    )
    #expect(machine.read(process, Self.base + 2 * Self.page) != nil)  // page 2 mapped
    var batch = SwapOutBatch()
    let queued = machine.physical.reclaimObjectPages(
      after: AgingReport(), budget: 1000, into: &batch, through: ram)
    machine.writeOut(batch)
    #expect(queued == 23)
    #expect(machine.physical.residentPage(object, at: 2, through: ram) != nil)
    #expect(process.frame(at: Self.base + 2 * Self.page) != nil)
    #expect(Self.allReadBack(machine, object, 0..<24))
    machine.physical.releaseFileObject(object, through: ram)  // the mapping still holds it
    #expect(machine.machine.tearDownIsClean())
  }

  @Test func aPageCacheFileIsDroppedNeverSwapped() throws {
    let machine = SwapMachine(megabytes: 4, slots: 1024)
    let ram = machine.machine.ram
    let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(4 * Self.page), alignment: 8)
    defer { bytes.deallocate() }
    bytes.initializeMemory(as: UInt8.self, repeating: 0x42)
    let file = FileContents(UnsafeRawBufferPointer(bytes))
    let object = try #require(machine.physical.cachedFileObject(file, through: ram))
    #expect(!machine.physical.isSwapBacked(object))
    #expect(Self.swapOut(machine, object, 0..<4) == 0)
    machine.physical.dropPageCache(through: ram)
    #expect(machine.machine.tearDownIsClean())
  }
}
