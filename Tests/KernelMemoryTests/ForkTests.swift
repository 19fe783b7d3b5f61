import KernelMemory
import KernelMemoryEmulation
import Testing

/// fork with copy-on-write, one behaviour at a time: isolation in both directions, the
/// exclusive-reuse rule, the zero page, what each memory call in the child does to frames the
/// parent still maps, the commit fork charges, and the parent's TLB.
@Suite struct ForkTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  /// A machine whose first process has `pages` private read-write pages at `base`, each
  /// written with its index + 1.
  static func parentWithPages(_ pages: UInt64 = 4) throws -> (TestMachine, TestProcess) {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: pages * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<pages { parent.write(base + index * page, UInt8(index + 1)) }
    return (machine, parent)
  }

  static func info(_ machine: TestMachine, _ frame: PhysicalFrame?) -> FrameInfo {
    machine.physical.frameTable[frame!]
  }

  @Test func childSeesTheParentsPagesAndWritesStayOnTheirSide() throws {
    let (machine, parent) = try Self.parentWithPages()
    let child = try parent.fork(machine)
    #expect(child.read(Self.base) == 1 && child.read(Self.base + 3 * Self.page) == 4)
    let shared = parent.frame(at: Self.base)
    #expect(child.frame(at: Self.base) == shared)
    // One table, shared: the frame is counted once and stays exclusive to that table, which
    // neither space can write through (ForkSharedTableTests has the details).
    #expect(Self.info(machine, shared) == FrameInfo(mapCount: 1, state: .anonymousExclusive))
    #expect(parent.tablePointer(at: Self.base)?.flags.contains(.writable) == false)
    #expect(child.tablePointer(at: Self.base)?.flags.contains(.writable) == false)
    // The child writes: it gets a copy; the parent still reads its own value.
    #expect(child.write(Self.base, 0xc1) == .completed([.copiedOnWrite]))
    #expect(child.read(Self.base) == 0xc1 && parent.read(Self.base) == 1)
    #expect(child.frame(at: Self.base) != shared)
    #expect(Self.info(machine, shared).mapCount == 1)
    // The parent is now the frame's only owner: its write reuses the frame, no copy.
    #expect(parent.write(Self.base, 0xa1) == .completed([.reusedExclusive]))
    #expect(parent.frame(at: Self.base) == shared)
    #expect(Self.info(machine, shared) == FrameInfo(mapCount: 1, state: .anonymousExclusive))
    #expect(child.read(Self.base) == 0xc1 && parent.read(Self.base) == 0xa1)
    // The other direction on another page: the parent writes first.
    #expect(parent.write(Self.base + Self.page, 0xa2) == .completed([.copiedOnWrite]))
    #expect(child.read(Self.base + Self.page) == 2)
    #expect(child.write(Self.base + Self.page, 0xc2) == .completed([.reusedExclusive]))
    #expect(parent.read(Self.base + Self.page) == 0xa2)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func afterTheChildExitsTheParentsPagesAreSolelyItsOwn() throws {
    let (machine, parent) = try Self.parentWithPages()
    let child = try parent.fork(machine)
    let frames = machine.framesInUse
    child.space.tearDown()
    #expect(machine.framesInUse < frames)
    // The parent takes its table back on its first write, and writes every page in place.
    #expect(parent.write(Self.base, 0x77) == .completed([.unsharedTable]))
    for index in 0..<UInt64(4) {
      let address = Self.base + index * Self.page
      #expect(parent.write(address, 0x77) == .completed([]))
      #expect(Self.info(machine, parent.frame(at: address)).state == .anonymousExclusive)
    }
    #expect(machine.tearDownIsClean())
  }

  @Test func aParentWritingWhileTheChildStillSharesCopiesNotReuses() throws {
    let (machine, parent) = try Self.parentWithPages(1)
    let child = try parent.fork(machine)
    let grandchild = try child.fork(machine)
    let shared = parent.frame(at: Self.base)
    #expect(Self.info(machine, shared).mapCount == 1)
    #expect(
      machine.physical.frameTable.sharers(ofTable: parent.tablePointer(at: Self.base)!.frame) == 3)
    #expect(parent.write(Self.base, 9) == .completed([.copiedOnWrite]))
    #expect(child.write(Self.base, 8) == .completed([.copiedOnWrite]))
    // Two copies made: the grandchild alone maps the original now.
    #expect(grandchild.write(Self.base, 7) == .completed([.reusedExclusive]))
    #expect(parent.read(Self.base) == 9 && child.read(Self.base) == 8)
    #expect(grandchild.read(Self.base) == 7 && grandchild.frame(at: Self.base) == shared)
    grandchild.space.tearDown()
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func theZeroPageStaysSharedAndAWriteToItAllocates() throws {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 2 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    #expect(parent.read(Self.base) == 0)
    let child = try parent.fork(machine)
    #expect(child.frame(at: Self.base) == machine.zeroPage)
    #expect(
      Self.info(machine, machine.zeroPage) == FrameInfo(mapCount: 0, state: [.shared, .pinned]))
    #expect(child.write(Self.base, 5) == .completed([.copyOfZeroPage]))
    #expect(parent.frame(at: Self.base) == machine.zeroPage && parent.read(Self.base) == 0)
    #expect(child.space.residentFrames == 1 && parent.space.residentFrames == 0)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  /// The kernel writes user memory only through the page tables (user copies, CR0.WP set):
  /// its write to a copy-on-write page faults like the process's and gets the copy.
  @Test func aKernelWriteIntoACopyOnWritePageCopiesIt() throws {
    let (machine, parent) = try Self.parentWithPages(1)
    let child = try parent.fork(machine)
    let shared = parent.frame(at: Self.base)
    let fault = PageFault(
      address: Self.base + 8, errorCode: [.present, .write], origin: .kernelAccessingUser)
    #expect(child.space.handlePageFault(fault) == .resolved(.copiedOnWrite))
    #expect(child.frame(at: Self.base) != shared)
    #expect(child.flags(at: Self.base)?.contains(.writable) == true)
    #expect(parent.frame(at: Self.base) == shared && parent.read(Self.base) == 1)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func theParentsTLBForgetsItsWritableEntriesAtFork() throws {
    let (machine, parent) = try Self.parentWithPages(1)
    // The parent's TLB holds a writable translation now (it just wrote the page).
    let child = try parent.fork(machine)
    #expect(parent.mmu.staleEntries().isEmpty)
    #expect(parent.write(Self.base, 0x55) == .completed([.copiedOnWrite]))
    #expect(child.read(Self.base) == 1)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func mprotectInTheChildNeverMakesASharedFrameWritable() throws {
    let (machine, parent) = try Self.parentWithPages(2)
    let child = try parent.fork(machine)
    try child.space.protect(start: Self.base, length: 2 * Self.page, protection: .read)
    try child.space.protect(start: Self.base, length: 2 * Self.page, protection: [.read, .write])
    #expect(child.flags(at: Self.base)?.contains(.writable) == false)
    #expect(child.write(Self.base, 0xcc) == .completed([.copiedOnWrite]))
    #expect(parent.read(Self.base) == 1)
    // The parent's mprotect too.
    try parent.space.protect(start: Self.base, length: 2 * Self.page, protection: .none)
    try parent.space.protect(start: Self.base, length: 2 * Self.page, protection: [.read, .write])
    #expect(parent.flags(at: Self.base + Self.page)?.contains(.writable) == false)
    #expect(parent.write(Self.base + Self.page, 0xaa) == .completed([.copiedOnWrite]))
    #expect(child.read(Self.base + Self.page) == 2)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func aLeafLaggingItsRegionIsBroughtInLineReadOnlyWhenShared() throws {
    let (machine, parent) = try Self.parentWithPages(1)
    let child = try parent.fork(machine)
    try child.space.protect(
      start: Self.base, length: Self.page, protection: [.read, .write, .execute])
    // A read fault (here: an execute) on the lagging leaf must not grant write.
    #expect(child.access(Self.base, .execute) == .completed([]))
    #expect(child.flags(at: Self.base)?.contains(.writable) == false)
    #expect(child.write(Self.base, 3) == .completed([.copiedOnWrite]))
    #expect(parent.read(Self.base) == 1)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func munmapMadviseAndBrkInTheChildLeaveTheParentsPages() throws {
    let (machine, parent) = try Self.parentWithPages(4)
    try parent.space.setUpHeap(at: 0x100_0000)
    try parent.space.setBreak(to: 0x100_0000 + 2 * Self.page)
    parent.write(0x100_0000, 0x11)
    parent.write(0x100_0000 + Self.page, 0x12)
    let child = try parent.fork(machine)
    try child.space.release(start: Self.base, length: Self.page)
    try child.space.advise(VirtualRange(start: Self.base + Self.page, length: Self.page), .dontNeed)
    try child.space.setBreak(to: 0x100_0000 + Self.page)
    #expect(child.read(Self.base) == nil)
    #expect(child.read(Self.base + Self.page) == 0)
    #expect(child.read(0x100_0000 + Self.page) == nil)
    #expect(parent.read(Self.base) == 1 && parent.read(Self.base + Self.page) == 2)
    #expect(parent.read(0x100_0000) == 0x11 && parent.read(0x100_0000 + Self.page) == 0x12)
    // The parent is the only owner of what the child dropped: reused, not copied.
    #expect(parent.write(Self.base, 0x21) == .completed([.reusedExclusive]))
    #expect(parent.write(0x100_0000 + Self.page, 0x22) == .completed([.reusedExclusive]))
    #expect(parent.write(Self.base + 2 * Self.page, 0x23) == .completed([.copiedOnWrite]))
    #expect(child.read(Self.base + 2 * Self.page) == 3)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func mremapInTheChildMovesSharedFramesStillCopyOnWrite() throws {
    let (machine, parent) = try Self.parentWithPages(2)
    let child = try parent.fork(machine)
    let target: UInt64 = 0x5000_0000
    _ = try child.space.remap(
      start: Self.base, oldLength: 2 * Self.page, newLength: 2 * Self.page,
      placement: .fixed(target))
    #expect(child.frame(at: target) == parent.frame(at: Self.base))
    #expect(child.flags(at: target)?.contains(.writable) == false)
    #expect(child.write(target, 0xcc) == .completed([.copiedOnWrite]))
    #expect(parent.read(Self.base) == 1 && child.read(target + Self.page) == 2)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func forkChargesTheChildsCommitAndFailsCleanlyWithoutIt() throws {
    let machine = TestMachine(commitLimit: 200)
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 120 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    parent.write(Self.base, 1)
    let committed = machine.commit.committed
    let frames = machine.framesInUse
    #expect(throws: AddressSpaceError.outOfMemory) { _ = try parent.fork(machine) }
    #expect(machine.commit.committed == committed && machine.framesInUse == frames)
    #expect(parent.write(Self.base, 2) == .completed([]))
    #expect(machine.tearDownIsClean())
  }

  @Test func aForkedChildIsChargedWhatItsParentIs() throws {
    let (machine, parent) = try Self.parentWithPages(8)
    let child = try parent.fork(machine)
    #expect(child.space.committedFrames == parent.space.committedFrames)
    #expect(machine.commit.committed == 2 * parent.space.committedFrames)
    #expect(child.space.commitAudit().isEmpty && parent.space.commitAudit().isEmpty)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  /// Fails the N-th frame allocation of a fork, for every N the fork makes.
  @Test func everyFailedAllocationOfAForkIsENOMEMAndLeaksNothing() throws {
    func setUp() throws -> (TestMachine, TestProcess) {
      let machine = TestMachine()
      let parent = TestProcess(machine)
      // Pages under three PML4 slots and two page tables each: many tables to create.
      for start: UInt64 in [
        0x4000_0000 - 2 * Self.page, 0x80_0000_0000 - Self.page, 0x100_0000_0000,
      ] {
        _ = try parent.space.reserve(
          length: 4 * Self.page, protection: [.read, .write], at: .fixed(start))
        for index in 0..<UInt64(4) { parent.write(start + index * Self.page, UInt8(index + 1)) }
      }
      return (machine, parent)
    }
    let (clean, cleanParent) = try setUp()
    let before = clean.frames.allocations
    let child = try cleanParent.fork(clean)
    // The child's root is allocated before the fork (by the caller); the rest are its tables.
    let allocations = clean.frames.allocations - before - 1
    #expect(allocations > 6)
    child.space.tearDown()
    #expect(clean.tearDownIsClean())
    for failing in 1...allocations {
      let (machine, parent) = try setUp()
      let frames = machine.framesInUse
      let committed = machine.commit.committed
      var contents: [UInt8?] = []
      parent.space.pageMap.forEachMapping(
        in: VirtualRange(uncheckedStart: 0x1000, end: UserLayout.end)
      ) {
        contents.append(machine.ram.read(at: $0.frameAddress))
      }
      let pageMap = try! PageMap(memory: machine.ram, frames: &machine.physical.frames)
      machine.frames.failurePlan = .request(failing)
      #expect(throws: AddressSpaceError.outOfMemory) {
        _ = try parent.space.fork(
          into: pageMap, tlb: SoftwareMMU(ram: machine.ram, rootTable: pageMap.root))
      }
      machine.frames.failurePlan = .never
      #expect(machine.framesInUse == frames, "allocation \(failing): frames leaked")
      #expect(machine.commit.committed == committed)
      #expect(machine.frames.releaseErrors.isEmpty)
      var after: [UInt8?] = []
      parent.space.pageMap.forEachMapping(
        in: VirtualRange(uncheckedStart: 0x1000, end: UserLayout.end)
      ) {
        after.append(machine.ram.read(at: $0.frameAddress))
        #expect(machine.physical.frameTable[$0.frameAddress.frame].mapCount == 1)
      }
      #expect(after == contents)
      #expect(parent.space.pageMap.occupancyCountsAreConsistent())
      // Write-protected or not yet reached by the failed fork: written in place either way.
      let written = parent.write(0x4000_0000, 0x99)
      #expect(written == .completed([.unsharedTable]) || written == .completed([]))
      #expect(machine.tearDownIsClean())
    }
  }
}
