import KernelMemory
import KernelMemoryEmulation
import Testing

/// The memory objects of the writable file system's files (`MemoryObjectKind.file`,
/// FileObject.swift): charged for their size when it is set, pages allocated zeroed on first
/// write and held by the object (mapped by no leaf), the same frame a private mapping of the
/// file reads, pages past a shrunk end dropped and refunded, every frame back at release.
@Suite struct FileObjectTests {
  typealias Physical = TestMachine.Physical
  static let page = PageSize.size4KiB.bytes

  @Test func sizeIsChargedPagesAreAllocatedOnWriteAndAllComeBack() throws {
    let machine = TestMachine()
    let physical = machine.physical
    let object = try physical.createFileObject(bytes: 10_000, through: machine.ram)
    #expect(physical.objects[object].pageCount == 3)
    #expect(physical.commit.committed == MemoryObject.charge(forPages: 3))
    #expect(physical.residentPage(object, at: 1, through: machine.ram) == nil)  // a hole
    let frame = try physical.filePage(object, at: 1, through: machine.ram)
    #expect(machine.ram.load(frame.address) == 0)  // zero-filled
    #expect(physical.frameTable[frame] == FrameInfo(mapCount: 0, state: .shared))
    #expect(try physical.filePage(object, at: 1, through: machine.ram) == frame)
    #expect(physical.objects[object].residentPages == 1)
    try physical.resizeFileObject(object, toBytes: 100 * Self.page, through: machine.ram)
    #expect(physical.commit.committed == MemoryObject.charge(forPages: 100))
    _ = try physical.filePage(object, at: 99, through: machine.ram)
    try physical.resizeFileObject(object, toBytes: Self.page + 1, through: machine.ram)
    #expect(physical.objects[object].residentPages == 1)  // page 99 went, page 1 stayed
    #expect(physical.commit.committed == MemoryObject.charge(forPages: 2))
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aGrowthTheLedgerRefusesChangesNothing() throws {
    let machine = TestMachine(commitLimit: 64)
    let physical = machine.physical
    let object = try physical.createFileObject(bytes: Self.page, through: machine.ram)
    let before = physical.commit.committed
    #expect(throws: FileObjectError.noSpace) {
      try physical.resizeFileObject(object, toBytes: 1000 * Self.page, through: machine.ram)
    }
    #expect(physical.commit.committed == before)
    #expect(physical.objects[object].pageCount == 1)
    #expect(throws: FileObjectError.noSpace) {
      _ = try physical.createFileObject(bytes: 1000 * Self.page, through: machine.ram)
    }
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aPrivateMappingReadsTheFilesFrameAndAWriteToItShows() throws {
    let machine = TestMachine()
    let process = TestProcess(machine)
    let physical = machine.physical
    let object = try physical.createFileObject(bytes: 2 * Self.page, through: machine.ram)
    let frame = try physical.filePage(object, at: 0, through: machine.ram)
    machine.ram.store(0x1122, at: frame.address)
    _ = try process.space.reservePrivateMapping(
      of: object, page: 0, length: 2 * Self.page, protection: [.read],
      at: .fixed(PageCacheTests.base))
    #expect(physical.objects[object].mappings == 2)  // the inode's and the region's
    #expect(process.read(PageCacheTests.base) == 0x22)
    #expect(process.frame(at: PageCacheTests.base) == frame)
    #expect(physical.frameTable[frame] == FrameInfo(mapCount: 1, state: .shared))
    machine.ram.store(0x33, at: frame.address)  // a write(2) to the file
    #expect(process.read(PageCacheTests.base) == 0x33)  // an untouched private page follows
    physical.releaseFileObject(object, through: machine.ram)  // the inode's hold
    #expect(physical.objects.count == 1)  // the mapping keeps the object
    #expect(machine.tearDownIsClean())  // which goes with the space
  }

  @Test func aShrinkUnmapsThePagesFromEverySpaceThatMapsThem() throws {
    let machine = TestMachine()
    let process = TestProcess(machine)
    let physical = machine.physical
    let object = try physical.createFileObject(bytes: 2 * Self.page, through: machine.ram)
    let second = try physical.filePage(object, at: 1, through: machine.ram)
    _ = try process.space.reservePrivateMapping(
      of: object, page: 0, length: 2 * Self.page, protection: [.read],
      at: .fixed(PageCacheTests.base))
    _ = process.read(PageCacheTests.base + Self.page)
    #expect(process.frame(at: PageCacheTests.base + Self.page) == second)
    try physical.resizeFileObject(object, toBytes: Self.page, through: machine.ram)
    #expect(process.frame(at: PageCacheTests.base + Self.page) == nil)  // unmapped everywhere
    #expect(physical.objects[object].residentPages == 0)
    #expect(physical.frameTable[second] == .unused)  // and freed
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }
}
