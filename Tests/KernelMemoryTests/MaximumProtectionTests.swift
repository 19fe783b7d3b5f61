import KernelMemory
import KernelMemoryEmulation
import Testing

/// `Region.maximumProtection`: a `MAP_SHARED` mapping of a file opened read-only
/// (`reserveReadOnlySharedMapping`) may never become writable — `mprotect(PROT_WRITE)` is
/// `EACCES` as on Linux (`VM_MAYWRITE` cleared), the regions before it in the range are
/// changed (Linux's walk), and it keeps that through splits, `mremap` and fork.
@Suite struct MaximumProtectionTests {
  typealias File = PageCacheTests.TestFile
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x40_0000

  /// Each test's set-up: a machine, its first process, and the page-cache object of a test
  /// file (kept alive here) for the test to map; `finish` is the common end.
  struct Fixture {
    let machine = TestMachine()
    let file = File()
    let process: TestProcess
    let object: MemoryObjectID
    var space: TestMachine.Space { process.space }

    init() throws {
      process = TestProcess(machine)
      object = try #require(process.space.cachedFile(file.contents))
    }

    /// Unmaps `length` bytes at `start`, drops the page cache and expects no frame left over.
    func finish(releasing start: UInt64, length: UInt64) throws {
      try space.release(start: start, length: length)
      machine.physical.dropPageCache(through: machine.ram)
      #expect(machine.tearDownIsClean())
    }
  }

  @Test func writeProtectionOfAReadOnlySharedMappingIsRefused() throws {
    let fixture = try Fixture()
    let (space, process) = (fixture.space, fixture.process)
    _ = try space.reserveReadOnlySharedMapping(
      of: fixture.object, page: 0, length: 2 * Self.page, protection: .read, at: .fixed(Self.base))
    #expect(space.regions.first { $0.range.start == Self.base }?.isMappedShared == true)
    #expect(throws: AddressSpaceError.beyondMaximumProtection) {
      try space.protect(start: Self.base, length: Self.page, protection: [.read, .write])
    }
    #expect(AddressSpaceError.beyondMaximumProtection.errno == .EACCES)
    // Read and execute stay allowed; the write is still refused after the split.
    try space.protect(start: Self.base, length: Self.page, protection: [.read, .execute])
    #expect(throws: AddressSpaceError.beyondMaximumProtection) {
      try space.protect(start: Self.base + Self.page, length: Self.page, protection: .write)
    }
    #expect(process.read(Self.base + Self.page + 8) == PageCacheTests.fileByte(Self.page + 8))
    #expect(process.flags(at: Self.base + Self.page)?.contains(.writable) == false)
    try fixture.finish(releasing: Self.base, length: 2 * Self.page)
  }

  @Test func theRegionsBeforeTheRefusedOneAreChanged() throws {
    let fixture = try Fixture()
    let (space, object) = (fixture.space, fixture.object)
    _ = try space.reserve(length: Self.page, protection: .read, at: .fixed(Self.base))
    _ = try space.reserveReadOnlySharedMapping(
      of: object, page: 0, length: Self.page, protection: .read,
      at: .fixed(Self.base + Self.page))
    #expect(throws: AddressSpaceError.beyondMaximumProtection) {
      try space.protect(start: Self.base, length: 2 * Self.page, protection: [.read, .write])
    }
    #expect(space.regions.first { $0.range.start == Self.base }?.protection == [.read, .write])
    #expect(space.regions.first { $0.range.start == Self.base + Self.page }?.protection == .read)
    try fixture.finish(releasing: Self.base, length: 2 * Self.page)
  }

  @Test func aPrivateMappingOfTheSameFileNextToItDoesNotMergeAndMayBeWritten() throws {
    let fixture = try Fixture()
    let (space, object) = (fixture.space, fixture.object)
    _ = try space.reserveReadOnlySharedMapping(
      of: object, page: 0, length: Self.page, protection: .read, at: .fixed(Self.base))
    _ = try space.reservePrivateMapping(
      of: object, page: 1, length: Self.page, protection: .read,
      at: .fixed(Self.base + Self.page))
    #expect(space.regions.count { $0.range.start >= Self.base } == 2)
    try space.protect(
      start: Self.base + Self.page, length: Self.page, protection: [.read, .write])
    try fixture.finish(releasing: Self.base, length: 2 * Self.page)
  }

  @Test func forkAndMremapKeepTheMaximum() throws {
    let fixture = try Fixture()
    let (machine, parent) = (fixture.machine, fixture.process)
    _ = try parent.space.reserveReadOnlySharedMapping(
      of: fixture.object, page: 0, length: Self.page, protection: .read, at: .fixed(Self.base))
    let child = try parent.fork(machine)
    #expect(throws: AddressSpaceError.beyondMaximumProtection) {
      try child.space.protect(start: Self.base, length: Self.page, protection: [.read, .write])
    }
    let moved = try parent.space.remap(
      start: Self.base, oldLength: Self.page, newLength: 2 * Self.page, placement: .mayMove)
    #expect(throws: AddressSpaceError.beyondMaximumProtection) {
      try parent.space.protect(start: moved, length: Self.page, protection: [.read, .write])
    }
    child.space.tearDown()
    try fixture.finish(releasing: moved, length: 2 * Self.page)
  }
}
