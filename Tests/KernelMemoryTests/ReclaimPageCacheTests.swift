import KernelMemory
import KernelMemoryEmulation
import Testing

/// Clean page-cache pages are dropped, not written (`PageCacheReclaim.swift`): unmapped from
/// every space that maps them, their frames freed, and refilled from the file by the next
/// fault, `read` (`cachedPage`) or the change that makes the file part ways with its bytes
/// (`forgetCachedFile`) — with the right contents, every frame accounted.
@Suite struct ReclaimPageCacheTests {
  typealias File = PageCacheTests.TestFile
  static let page = PageSize.size4KiB.bytes
  static let filePages: UInt64 = 3

  static func address(_ page: UInt64, _ byte: UInt64 = 0) -> UInt64 {
    PageCacheTests.address(page, byte)
  }

  /// Reads every page of the file in `process` and checks a few bytes of each.
  static func readsTheFile(_ process: TestProcess) -> Bool {
    for page in 0..<filePages {
      for byte: UInt64 in [0, 1, 99, 4095] {
        let offset = page * Self.page + byte
        let expected = offset < PageCacheTests.fileSize ? PageCacheTests.fileByte(offset) : 0
        guard process.read(address(page, byte)) == expected else { return false }
      }
    }
    return true
  }

  /// Two processes on one machine with the file mapped privately, read-only, and read.
  static func twoReaders(_ machine: TestMachine, _ file: File) throws -> (
    TestProcess, TestProcess, MemoryObjectID
  ) {
    let first = TestProcess(machine)
    let object = try PageCacheTests.mapFile(file, into: first, protection: [.read])
    let (space, mmu) = machine.makeSpace()
    let second = TestProcess(space: space, mmu: mmu)
    #expect(try PageCacheTests.mapFile(file, into: second, protection: [.read]) == object)
    #expect(readsTheFile(first) && readsTheFile(second))
    return (first, second, object)
  }

  @Test func aFileMappedByTwoSpacesIsDroppedAndRefaultedWithItsContents() throws {
    let machine = TestMachine()
    let file = File()
    let (first, second, object) = try Self.twoReaders(machine, file)
    let cached = try #require(first.space.objectPage(object, at: 1))
    #expect(machine.physical.frameTable[cached].mapCount == 2)
    let inUse = machine.framesInUse
    let freed = machine.physical.dropCachedPages(
      object, offsets: 0..<Self.filePages, through: machine.ram)
    #expect(freed == Self.filePages)
    #expect(machine.framesInUse <= inUse - Int(Self.filePages))
    #expect(machine.physical.objects[object].residentPages == 0)
    #expect(first.frame(at: Self.address(1)) == nil && second.frame(at: Self.address(1)) == nil)
    #expect(first.space.residentFrames == 0 && second.space.residentFrames == 0)
    #expect(machine.physical.frameTable[cached] == .unused)
    // The next touch refills each page from the file, once, and both spaces share it again.
    #expect(first.access(Self.address(1), .read) == .completed([.filePage]))
    #expect(second.access(Self.address(1), .read) == .completed([.objectPage]))
    #expect(Self.readsTheFile(first) && Self.readsTheFile(second))
    #expect(machine.physical.reclaim.refilledCachePages == Self.filePages)
    #expect(first.frame(at: Self.address(2)) == second.frame(at: Self.address(2)))
    #expect(machine.physical.objects[object].residentPages == Self.filePages)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [first, second]))
    second.space.tearDown()
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aPrivateCopyOfADroppedPageStays() throws {
    let machine = TestMachine()
    let file = File()
    let process = TestProcess(machine)
    let object = try PageCacheTests.mapFile(file, into: process)
    #expect(process.write(Self.address(0, 1), 0xaa) == .completed([.copiedOnWrite]))
    #expect(
      machine.physical.dropCachedPages(object, offsets: 0..<Self.filePages, through: machine.ram)
        == Self.filePages)
    #expect(process.read(Self.address(0, 1)) == 0xaa)  // its own copy, untouched
    #expect(process.read(Self.address(0, 2)) == PageCacheTests.fileByte(2))
    #expect(process.read(Self.address(1, 7)) == PageCacheTests.fileByte(Self.page + 7))
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func coldLeavesAreUnmappedByTheClockAndTheCacheHandFreesThePages() throws {
    let machine = TestMachine()
    let file = File()
    let (first, second, object) = try Self.twoReaders(machine, file)
    let physical = machine.physical
    // First revolution: every leaf was used — bits cleared, nothing dropped.
    let young = physical.ageMemory(budget: 1 << 20, wanted: 8)
    #expect(young.referenced == 2 * Int(Self.filePages))
    #expect(physical.dropUnmappedCachePages(budget: 64, through: machine.ram) == 0)
    // The second process keeps using page 1; everything else is cold.
    #expect(second.read(Self.address(1, 3)) == PageCacheTests.fileByte(Self.page + 3))
    let cold = physical.ageMemory(budget: 1 << 20, wanted: 8)
    #expect(cold.unmappedCachePages == 2 * Int(Self.filePages) - 1)
    #expect(cold.candidates.isEmpty)  // clean pages are never offered to swap
    #expect(first.frame(at: Self.address(1)) == nil)
    #expect(second.frame(at: Self.address(1)) != nil)
    #expect(first.space.residentFrames == 0 && second.space.residentFrames == 1)
    // The cache hand frees the pages no leaf maps: 0 and 2, not 1.
    let inUse = machine.framesInUse
    #expect(physical.dropUnmappedCachePages(budget: 64, through: machine.ram) == 2)
    #expect(machine.framesInUse == inUse - 2)
    #expect(physical.objects[object].residentPages == 1)
    #expect(Self.readsTheFile(first) && Self.readsTheFile(second))
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [first, second]))
    second.space.tearDown()
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func theCacheHandResumesWithinItsBudget() throws {
    let machine = TestMachine()
    let file = File()
    let process = TestProcess(machine)
    _ = try PageCacheTests.mapFile(file, into: process)  // cached, all pages resident, unmapped
    let physical = machine.physical
    #expect(physical.dropUnmappedCachePages(budget: 2, through: machine.ram) == 2)
    #expect(physical.dropUnmappedCachePages(budget: 2, through: machine.ram) == 1)
    #expect(physical.dropUnmappedCachePages(budget: 2, through: machine.ram) == 0)
    #expect(physical.reclaim.droppedCachePages == 3)
    #expect(Self.readsTheFile(process))
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aReadAndAWriteOfTheFileSeeItsBytesAfterADrop() throws {
    let machine = TestMachine()
    let file = File()
    let physical = machine.physical
    let object = try #require(physical.cachedFileObject(file.contents, through: machine.ram))
    physical.retainFileObject(object)  // the inode's hold, as the file system takes it
    #expect(physical.dropUnmappedCachePages(budget: 64, through: machine.ram) == Self.filePages)
    // A read (`cachedPage`) refills a page from the file.
    let frame = try #require(physical.cachedPage(object, at: 1, through: machine.ram))
    #expect(
      machine.ram.read(at: frame.address.advanced(by: 5)) == PageCacheTests.fileByte(Self.page + 5))
    // The first change of the file makes the cache let it go: every dropped page is read
    // back first, because the file's bytes will no longer be there to refill from.
    physical.forgetCachedFile(file.contents, through: machine.ram)
    #expect(physical.objects[object].residentPages == Self.filePages)
    for page in [UInt64(0), 2] {
      let resident = try #require(physical.residentPage(object, at: page, through: machine.ram))
      let offset = page * Self.page + 9
      #expect(
        machine.ram.read(at: resident.address.advanced(by: 9)) == PageCacheTests.fileByte(offset))
    }
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }
}
