import KernelMemory
import KernelMemoryEmulation
import Testing

/// Page tables shared by fork (AddressSpace+SharedTables.swift): fork links tables instead of
/// copying leaves, every path that changes a leaf first gives its space its own copy, exit
/// only drops a share, and memory objects' pages and the zero page stay right through it.
@Suite struct ForkSharedTableTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000
  /// Pages 0..<touched of the 16 reserved are written (index + 1); the rest are untouched.
  static let touched: UInt64 = 8

  static func parent() throws -> (TestMachine, TestProcess) {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 16 * page, protection: [.read, .write], at: .fixed(base))
    for index in 0..<touched { parent.write(base + index * page, UInt8(index + 1)) }
    return (machine, parent)
  }

  static func sharers(_ machine: TestMachine, _ process: TestProcess) -> UInt32 {
    machine.physical.frameTable.sharers(ofTable: process.tablePointer(at: base)!.frame)
  }

  @Test func forkLinksTheTableAndCopiesNoLeaf() throws {
    let (machine, parent) = try Self.parent()
    let before = machine.frames.allocations
    let child = try parent.fork(machine)
    // The child's root (taken by the caller), PDPT and PD: no page table, no frame.
    #expect(machine.frames.allocations - before == 3)
    let pointer = try #require(parent.tablePointer(at: Self.base))
    #expect(child.tablePointer(at: Self.base) == pointer)
    #expect(!pointer.flags.contains(.writable) && Self.sharers(machine, parent) == 2)
    #expect(child.space.residentFrames == parent.space.residentFrames)
    for index in 0..<Self.touched {
      let frame = parent.frame(at: Self.base + index * Self.page)
      #expect(child.frame(at: Self.base + index * Self.page) == frame)
      #expect(
        machine.physical.frameTable[frame!] == FrameInfo(mapCount: 1, state: .anonymousExclusive))
      #expect(child.read(Self.base + index * Self.page) == UInt8(index + 1))
    }
    #expect(parent.mmu.staleEntries().isEmpty)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func exitOfASharerOnlyDropsItsShare() throws {
    let (machine, parent) = try Self.parent()
    let child = try parent.fork(machine)
    let frames = machine.framesInUse
    child.space.tearDown()
    #expect(machine.framesInUse == frames - 3)  // its root, PDPT and PD
    #expect(Self.sharers(machine, parent) == 1)
    let frame = parent.frame(at: Self.base)!
    #expect(
      machine.physical.frameTable[frame] == FrameInfo(mapCount: 1, state: .anonymousExclusive))
    #expect(parent.write(Self.base, 0x70) == .completed([.unsharedTable]))
    #expect(parent.frame(at: Self.base) == frame)
    #expect(parent.tablePointer(at: Self.base)?.flags.contains(.writable) == true)
    #expect(machine.tearDownIsClean())
  }

  /// The paths that change leaves, each run in the child on a fresh fork.
  enum Path: CaseIterable, Sendable {
    case writeFault, readOfAnUntouchedPage, kernelWrite, mprotect, munmap, dontNeed, mremapMove,
      populateWrite, populateRead

    func run(in child: TestProcess) throws {
      let base = ForkSharedTableTests.base
      let page = ForkSharedTableTests.page
      switch self {
      case .writeFault: #expect(child.write(base, 0xc0) == .completed([.copiedOnWrite]))
      case .readOfAnUntouchedPage: #expect(child.read(base + 12 * page) == 0)
      case .kernelWrite:
        let fault = PageFault(
          address: base, errorCode: [.present, .write], origin: .kernelAccessingUser)
        #expect(child.space.handlePageFault(fault) == .resolved(.copiedOnWrite))
      case .mprotect: try child.space.protect(start: base, length: page, protection: .read)
      case .munmap: try child.space.release(start: base, length: page)
      case .dontNeed: try child.space.advise(VirtualRange(start: base, length: page), .dontNeed)
      case .mremapMove:
        _ = try child.space.remap(
          start: base, oldLength: page, newLength: page, placement: .fixed(0x5000_0000))
      case .populateWrite:
        try child.space.advise(VirtualRange(start: base, length: page), .populate(.write))
      case .populateRead:
        try child.space.advise(
          VirtualRange(start: base + 12 * page, length: page), .populate(.read))
      }
    }
  }

  @Test(arguments: Path.allCases)
  func everyPathThatChangesALeafUnsharesFirst(path: Path) throws {
    let (machine, parent) = try Self.parent()
    let child = try parent.fork(machine)
    let shared = try #require(parent.tablePointer(at: Self.base)).frame
    try path.run(in: child)
    // The child has a table of its own, writable through its entry; the parent alone has the
    // old one (and takes it over on its next fault).
    let own = try #require(child.tablePointer(at: Self.base))
    #expect(own.frame != shared && own.flags.contains(.writable))
    #expect(parent.tablePointer(at: Self.base)?.frame == shared)
    #expect(Self.sharers(machine, parent) == 1)
    // A page the path did not touch: in both tables now, counted twice, read-only in both.
    let last = Self.base + (Self.touched - 1) * Self.page
    let frame = try #require(parent.frame(at: last))
    #expect(child.frame(at: last) == frame)
    #expect(machine.physical.frameTable[frame] == FrameInfo(mapCount: 2, state: []))
    #expect(parent.flags(at: last)?.contains(.writable) == false)
    #expect(child.flags(at: last)?.contains(.writable) == false)
    #expect(child.mmu.staleEntries().isEmpty && parent.mmu.staleEntries().isEmpty)
    #expect(child.space.commitAudit().isEmpty && parent.space.commitAudit().isEmpty)
    #expect(child.space.pageMap.occupancyCountsAreConsistent())
    // Isolation both ways.
    #expect(parent.write(last, 0xaa) == .completed([.copiedOnWrite]))
    #expect(child.read(last) == UInt8(Self.touched))
    #expect(parent.read(Self.base) == 1)
    #expect(child.write(last, 0xcc) == .completed([.reusedExclusive]))
    #expect(parent.read(last) == 0xaa)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func sharedMemoryAndTheZeroPageThroughASharedTable() throws {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 2 * Self.page, protection: [.read, .write], kind: .sharedAnonymous,
      at: .fixed(Self.base))
    _ = try parent.space.reserve(
      length: Self.page, protection: [.read, .write], at: .fixed(Self.base + 2 * Self.page))
    parent.write(Self.base, 0x51)
    #expect(parent.read(Self.base + 2 * Self.page) == 0)  // the zero page
    let child = try parent.fork(machine)
    let object = try #require(parent.frame(at: Self.base))
    #expect(machine.physical.frameTable[object] == FrameInfo(mapCount: 1, state: .shared))
    // The child writes the shared page: its own table, the same object page, seen by both.
    #expect(child.write(Self.base, 0x52) == .completed([.unsharedTable]))
    #expect(child.frame(at: Self.base) == object && parent.read(Self.base) == 0x52)
    #expect(machine.physical.frameTable[object] == FrameInfo(mapCount: 2, state: .shared))
    #expect(child.flags(at: Self.base)?.contains(.writable) == true)
    // A page first touched by the child after fork is the object's for the parent too.
    #expect(child.write(Self.base + Self.page, 0x53) == .completed([.zeroedFrame]))
    // The parent's first fault takes its table over, then maps the page: one resolution.
    #expect(parent.write(Self.base + Self.page, 0x54) == .completed([.objectPage]))
    #expect(child.read(Self.base + Self.page) == 0x54)
    // The zero page is neither counted nor written.
    #expect(child.frame(at: Self.base + 2 * Self.page) == machine.zeroPage)
    #expect(child.write(Self.base + 2 * Self.page, 1) == .completed([.copyOfZeroPage]))
    #expect(parent.read(Self.base + 2 * Self.page) == 0)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  /// The copy of a shared table comes out of the commit (each space is charged its
  /// worst-case tables): with the ledger full, both spaces still write every page.
  @Test func unsharingNeverRunsOutUnderAFullCommit() throws {
    let probe = TestMachine()
    let probeParent = TestProcess(probe)
    _ = try probeParent.space.reserve(
      length: 16 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    let limit = 2 * probe.commit.committed
    let machine = TestMachine(commitLimit: limit)
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: 16 * Self.page, protection: [.read, .write], at: .fixed(Self.base))
    for index in 0..<UInt64(16) { parent.write(Self.base + index * Self.page, 1) }
    let child = try parent.fork(machine)
    #expect(machine.commit.committed == limit)
    for index in 0..<UInt64(16) {
      guard case .completed = child.write(Self.base + index * Self.page, 2),
        case .completed = parent.write(Self.base + index * Self.page, 3)
      else {
        Issue.record("page \(index): a write under a full commit did not complete")
        return
      }
    }
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }
}
