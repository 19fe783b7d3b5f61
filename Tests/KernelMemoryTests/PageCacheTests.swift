import KernelMemory
import KernelMemoryEmulation
import Testing

/// Private mappings of a file's page cache (`PageCache`, `MemoryObjectKind.fileContents`):
/// a read maps the cache's frame read-only and shared, a write copies it into a private
/// exclusive frame, fork shares cache frames without ever claiming them, and frames and
/// commit come back when the mappings are gone and the cache is dropped.
@Suite struct PageCacheTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x40_0000
  /// Two full pages and a partial third: the file's last page is zero past its end.
  static let fileSize = 2 * page + 100

  /// The byte the test file holds at `offset`.
  static func fileByte(_ offset: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: offset &* 7 &+ 3) }

  /// A file's bytes at an unaligned address (as the initramfs's are), kept for the test.
  final class TestFile {
    let storage: UnsafeMutableRawBufferPointer
    let contents: FileContents
    init(size: UInt64 = PageCacheTests.fileSize) {
      storage = .allocate(byteCount: Int(size) + 1, alignment: 8)
      for offset in 0..<size { storage[Int(offset) + 1] = PageCacheTests.fileByte(offset) }
      contents = FileContents(UnsafeRawBufferPointer(rebasing: storage[1...]))
    }
    deinit { storage.deallocate() }
  }

  /// `process` with the whole file mapped privately, read-write, at `base`.
  static func mapFile(
    _ file: TestFile, into process: TestProcess, protection: Protection = [.read, .write]
  ) throws -> MemoryObjectID {
    let object = try #require(process.space.cachedFile(file.contents))
    _ = try process.space.reservePrivateMapping(
      of: object, page: 0, length: file.contents.pageCount * page, protection: protection,
      at: .fixed(base))
    return object
  }

  static func address(_ page: UInt64, _ byte: UInt64 = 0) -> UInt64 {
    base + page * Self.page + byte
  }

  /// Every frame's map count equals the leaves that map it in `processes`.
  /// Whether each frame's map count equals the leaf entries that reach it. A leaf entry is
  /// counted once however many spaces reach it: after fork the spaces share their last-level
  /// tables, and a shared table's leaf is one mapping (AddressSpace+SharedTables.swift).
  static func mapCountsMatchLeaves(_ machine: TestMachine, _ processes: [TestProcess]) -> Bool {
    var leaves: [PhysicalFrame: UInt32] = [:]
    var seen: Set<PhysicalAddress> = []
    for process in processes {
      for region in process.space.regions {
        process.space.pageMap.forEachMapping(in: region.range) { mapping in
          guard let entry = try? process.space.pageMap.locate(mapping.page),
            seen.insert(entry.address).inserted
          else { return }
          leaves[mapping.frameAddress.frame, default: 0] += 1
        }
      }
    }
    return leaves.allSatisfy { frame, count in
      frame == machine.zeroPage || machine.physical.frameTable[frame].mapCount == count
    }
  }

  @Test func aReadMapsTheCacheFrameReadOnlyAndEverySpaceSharesIt() throws {
    let machine = TestMachine()
    let file = TestFile()
    let first = TestProcess(machine)
    let object = try Self.mapFile(file, into: first)
    // The cache reads the whole file when it takes it (its object is the file's inode's,
    // whose pages are all resident, as on tmpfs): the first fault maps a page it holds.
    #expect(machine.physical.pageCache.filledPages == 3)
    #expect(first.access(Self.address(1, 5), .read) == .completed([.objectPage]))
    #expect(first.read(Self.address(1, 5)) == Self.fileByte(Self.page + 5))
    let cached = try #require(first.space.objectPage(object, at: 1))
    #expect(first.frame(at: Self.address(1)) == cached)
    #expect(first.flags(at: Self.address(1))?.contains(.writable) == false)
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 1, state: .shared))
    // A second process mapping the same file gets the same frame: no second read.
    let (secondSpace, secondMMU) = machine.makeSpace()
    let second = TestProcess(space: secondSpace, mmu: secondMMU)
    #expect(try Self.mapFile(file, into: second, protection: [.read, .execute]) == object)
    #expect(second.access(Self.address(1), .execute) == .completed([.objectPage]))
    #expect(second.frame(at: Self.address(1)) == cached)
    #expect(machine.physical.frameTable[cached].mapCount == 2)
    #expect(machine.physical.pageCache.filledPages == 3)  // no second read
    #expect(machine.physical.pageCache.sharedMappings == 2)
    #expect(machine.physical.pageCache.mostMappings == 2)
    // Past the end of the file, the last page reads zeros.
    #expect(second.read(Self.address(2, 99)) == Self.fileByte(2 * Self.page + 99))
    #expect(second.read(Self.address(2, 100)) == 0)
    #expect(Self.mapCountsMatchLeaves(machine, [first, second]))
    second.space.tearDown()
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 1, state: .shared))
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aWriteCopiesThePageAndTheFileStaysAsItWas() throws {
    let machine = TestMachine()
    let file = TestFile()
    let process = TestProcess(machine)
    let object = try Self.mapFile(file, into: process)
    // A first write copies at once; the cache page is read in but not mapped.
    #expect(process.write(Self.address(0, 1), 0xaa) == .completed([.copiedOnWrite]))
    let cached = try #require(process.space.objectPage(object, at: 0))
    let copy = try #require(process.frame(at: Self.address(0)))
    #expect(copy != cached)
    #expect(machine.physical.frameTable[copy] == FrameInfo(mapCount: 1, state: .anonymousExclusive))
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 0, state: .shared))
    #expect(process.read(Self.address(0, 1)) == 0xaa)
    #expect(process.read(Self.address(0, 2)) == Self.fileByte(2))
    // A read then a write: the read-only cache leaf is copied, never claimed, although its
    // only leaf is this one.
    #expect(process.read(Self.address(1)) == Self.fileByte(Self.page))
    #expect(process.write(Self.address(1), 0xbb) == .completed([.copiedOnWrite]))
    let second = try #require(process.space.objectPage(object, at: 1))
    #expect(process.frame(at: Self.address(1)) != second)
    #expect(machine.physical.frameTable[second].mapCount == 0)
    // The cache still holds the file's bytes: a fresh mapping of it sees them.
    let (otherSpace, otherMMU) = machine.makeSpace()
    let other = TestProcess(space: otherSpace, mmu: otherMMU)
    _ = try Self.mapFile(file, into: other)
    #expect(other.read(Self.address(0, 1)) == Self.fileByte(1))
    #expect(other.read(Self.address(1)) == Self.fileByte(Self.page))
    // MADV_DONTNEED drops the private copy: the page reads the file again.
    try process.space.advise(VirtualRange(start: Self.address(0), length: Self.page), .dontNeed)
    #expect(process.read(Self.address(0, 1)) == Self.fileByte(1))
    #expect(Self.mapCountsMatchLeaves(machine, [process, other]))
    other.space.tearDown()
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func forkSharesCacheFramesAndEachWriterGetsItsOwnCopy() throws {
    let machine = TestMachine()
    let file = TestFile()
    let parent = TestProcess(machine)
    let object = try Self.mapFile(file, into: parent)
    #expect(parent.read(Self.address(0)) == Self.fileByte(0))
    parent.write(Self.address(1), 0x11)
    let child = try parent.fork(machine)
    let cached = try #require(parent.space.objectPage(object, at: 0))
    #expect(child.frame(at: Self.address(0)) == cached)
    // One leaf, in the page table parent and child now share.
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 1, state: .shared))
    #expect(child.read(Self.address(1)) == 0x11)
    #expect(Self.mapCountsMatchLeaves(machine, [parent, child]))
    // The child writes the cached page: its own copy; the parent keeps the cache frame.
    #expect(child.write(Self.address(0), 0x22) == .completed([.copiedOnWrite]))
    #expect(parent.read(Self.address(0)) == Self.fileByte(0))
    // The parent is now the cache frame's only mapper, and still copies: the frame is the
    // cache's, never claimed exclusive.
    #expect(machine.physical.frameTable[cached].mapCount == 1)
    #expect(parent.write(Self.address(0), 0x33) == .completed([.copiedOnWrite]))
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 0, state: .shared))
    #expect(child.read(Self.address(0)) == 0x22 && parent.read(Self.address(0)) == 0x33)
    #expect(Self.mapCountsMatchLeaves(machine, [parent, child]))
    #expect(parent.space.commitAudit().isEmpty && child.space.commitAudit().isEmpty)
    #expect(
      machine.commit.committed
        == parent.space.committedFrames + child.space.committedFrames
        + machine.physical.objects.totalCharge)
    child.space.tearDown()
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func munmapLeavesTheCacheAndDroppingItGivesEveryFrameAndChargeBack() throws {
    let machine = TestMachine()
    let file = TestFile()
    let process = TestProcess(machine)
    let committedBefore = machine.commit.committed
    let framesBefore = machine.framesInUse
    let object = try Self.mapFile(file, into: process)
    let cacheCharge = MemoryObject.charge(forPages: file.contents.pageCount)
    #expect(machine.physical.objects.totalCharge == cacheCharge)
    // The private mapping is charged like anonymous memory: a copy can never fail.
    #expect(process.space.commitAudit().isEmpty)
    for page in 0..<3 { _ = process.read(Self.address(UInt64(page))) }
    try process.space.release(start: Self.base, length: 3 * Self.page)
    // No mapping left, but the cache keeps the file's pages.
    #expect(machine.physical.objects[object].residentPages == 3)
    #expect(machine.commit.committed == committedBefore + cacheCharge)
    // Mapped again: the same frames, no new read.
    _ = try Self.mapFile(file, into: process)
    #expect(process.access(Self.address(2), .read) == .completed([.objectPage]))
    #expect(machine.physical.pageCache.filledPages == 3)
    try process.space.release(start: Self.base, length: 3 * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.physical.objects.count == 0)
    #expect(machine.commit.committed == committedBefore)
    #expect(machine.framesInUse <= framesBefore + 4)  // at most the tables of the mapping
    #expect(machine.tearDownIsClean())
  }

  @Test func aFileWhoseChargeIsRefusedIsNotCached() throws {
    let machine = TestMachine(commitLimit: 2)
    let file = TestFile()
    #expect(machine.space.cachedFile(file.contents) == nil)
    #expect(machine.commit.committed == 0 && machine.physical.objects.count == 0)
    #expect(machine.tearDownIsClean())
  }
}
