import KernelMemory
import KernelMemoryEmulation
import Testing

/// Shared and private mappings of one file's page-cache object (`reserveSharedMapping`,
/// `reservePrivateMapping`): the same frames behind both until a private write copies one,
/// mappings longer than the file (SIGBUS past its end, `KillReason.Kind.pastEndOfFile`),
/// `mremap` growing one without growing the file, and commit: shared file pages uncharged.
@Suite struct FileMappingTests {
  typealias File = PageCacheTests.TestFile
  static let page = PageSize.size4KiB.bytes
  static let shared: UInt64 = 0x40_0000
  static let privately: UInt64 = 0x80_0000

  @Test func sharedAndPrivateMappingsReachTheSameCacheFrames() throws {
    let machine = TestMachine()
    let file = File()
    let process = TestProcess(machine)
    let space = process.space
    let object = try #require(space.cachedFile(file.contents))
    let length = file.contents.pageCount * Self.page
    _ = try space.reserveSharedMapping(
      of: object, page: 0, length: length, protection: [.read, .write], at: .fixed(Self.shared))
    _ = try space.reservePrivateMapping(
      of: object, page: 1, length: 2 * Self.page, protection: [.read, .write],
      at: .fixed(Self.privately))
    // A shared write lands in the cache page itself (read in when the cache took the file),
    // mapped writable.
    #expect(process.write(Self.shared + Self.page + 8, 0x5a) == .completed([.objectPage]))
    let cached = try #require(space.objectPage(object, at: 1))
    #expect(process.frame(at: Self.shared + Self.page) == cached)
    #expect(process.flags(at: Self.shared + Self.page)?.contains(.writable) == true)
    // The private mapping of page 1 reads that frame, read-only, and sees the write.
    #expect(process.read(Self.privately + 8) == 0x5a)
    #expect(process.frame(at: Self.privately) == cached)
    #expect(process.flags(at: Self.privately)?.contains(.writable) == false)
    #expect(machine.physical.frameTable[cached] == FrameInfo(mapCount: 2, state: .shared))
    // A private write copies; the shared mapping and the cache keep the file's page.
    #expect(process.write(Self.privately + 9, 0x77) == .completed([.copiedOnWrite]))
    #expect(process.frame(at: Self.privately) != cached)
    #expect(process.read(Self.shared + Self.page + 9) == PageCacheTests.fileByte(Self.page + 9))
    #expect(process.read(Self.privately + 8) == 0x5a)
    // MADV_DONTNEED on the private page: back to the cache's page (with the shared write).
    try space.advise(VirtualRange(start: Self.privately, length: Self.page), .dontNeed)
    #expect(process.read(Self.privately + 9) == PageCacheTests.fileByte(Self.page + 9))
    #expect(process.read(Self.privately + 8) == 0x5a)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [process]))
    try space.release(start: Self.shared, length: length)
    try space.release(start: Self.privately, length: 2 * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aSharedFileMappingIsChargedOnlyItsTables() throws {
    let machine = TestMachine()
    let file = File()
    let space = machine.space
    let object = try #require(space.cachedFile(file.contents))
    let before = machine.commit.committed
    let range = try space.reserveSharedMapping(
      of: object, page: 0, length: 3 * Self.page, protection: [.read], at: .fixed(Self.shared))
    let tables = CommitLedger.worstCaseFrames(for: range) - range.pageCount
    #expect(machine.commit.committed - before == tables)
    _ = try space.reservePrivateMapping(
      of: object, page: 0, length: 3 * Self.page, protection: [.read, .write],
      at: .fixed(Self.privately))
    #expect(machine.commit.committed - before == tables + CommitLedger.worstCaseFrames(for: range))
    #expect(space.commitAudit().isEmpty)
    try space.release(start: Self.shared, length: 3 * Self.page)
    try space.release(start: Self.privately, length: 3 * Self.page)
    #expect(machine.commit.committed == before)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func pagesPastTheEndOfTheFileAreSIGBUSInEveryKindOfMapping() throws {
    let machine = TestMachine()
    let file = File()  // two pages and 100 bytes: pages 0, 1, 2
    let process = TestProcess(machine)
    let space = process.space
    let object = try #require(space.cachedFile(file.contents))
    let pages = file.contents.pageCount
    _ = try space.reserveSharedMapping(
      of: object, page: 0, length: (pages + 2) * Self.page, protection: [.read, .write],
      at: .fixed(Self.shared))
    _ = try space.reservePrivateMapping(
      of: object, page: 1, length: (pages + 1) * Self.page, protection: [.read, .write],
      at: .fixed(Self.privately))
    // The object does not grow with the mappings.
    #expect(machine.physical.objects[object].pageCount == pages)
    // The last, partial page reads zeros past the end; the page after it does not exist.
    #expect(process.read(Self.shared + (pages - 1) * Self.page + 100) == 0)
    let past = Self.shared + pages * Self.page + 17
    #expect(
      process.access(past, .read)
        == .killed(KillReason(kind: .pastEndOfFile, address: past, access: .read)))
    let privatePast = Self.privately + (pages - 1) * Self.page
    #expect(
      process.write(privatePast, 1)
        == .killed(KillReason(kind: .pastEndOfFile, address: privatePast, access: .write)))
    #expect(process.read(privatePast - 1) == 0)
    // mremap growing a file mapping further does not make the new pages valid.
    let moved = try space.remap(
      start: Self.shared, oldLength: (pages + 2) * Self.page, newLength: (pages + 8) * Self.page,
      placement: .mayMove)
    #expect(machine.physical.objects[object].pageCount == pages)
    let grown = moved + (pages + 5) * Self.page
    #expect(
      process.access(grown, .execute)
        == .killed(KillReason(kind: .accessViolation, address: grown, access: .execute)))
    #expect(
      process.access(grown, .read)
        == .killed(KillReason(kind: .pastEndOfFile, address: grown, access: .read)))
    #expect(process.read(moved + 8) == PageCacheTests.fileByte(8))
    #expect(space.commitAudit().isEmpty)
    try space.release(start: moved, length: (pages + 8) * Self.page)
    try space.release(start: Self.privately, length: (pages + 1) * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func forkSharesASharedFileMappingsPagesWrittenAfterIt() throws {
    let machine = TestMachine()
    let file = File()
    let parent = TestProcess(machine)
    let object = try #require(parent.space.cachedFile(file.contents))
    _ = try parent.space.reserveSharedMapping(
      of: object, page: 0, length: 3 * Self.page, protection: [.read, .write],
      at: .fixed(Self.shared))
    let child = try parent.fork(machine)
    #expect(child.write(Self.shared + 2 * Self.page, 0x42) == .completed([.objectPage]))
    #expect(parent.read(Self.shared + 2 * Self.page) == 0x42)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [parent, child]))
    child.space.tearDown()
    try parent.space.release(start: Self.shared, length: 3 * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }
}
