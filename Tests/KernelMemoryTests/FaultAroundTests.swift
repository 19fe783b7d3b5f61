import KernelMemory
import KernelMemoryEmulation
import Testing

/// Fault-around (`AddressSpace.mapAround`): a read fault of a private file mapping maps the
/// pages of the aligned 16-page window around it that the file's object holds — read-only,
/// counted as one fault — and never a page outside the region, past the file's end, already
/// mapped, or not yet in the object.
@Suite struct FaultAroundTests {
  typealias File = PageCacheTests.TestFile
  static let page = PageSize.size4KiB.bytes
  /// 2 MiB aligned: window k is pages 16k..16k+15 of the mapping.
  static let base: UInt64 = 0x40_0000
  static let window = FaultAround.faultAroundPages

  static func address(_ page: UInt64, _ byte: UInt64 = 0) -> UInt64 {
    base + page * Self.page + byte
  }

  @Test func aReadMapsTheCachedPagesOfItsWindowReadOnlyAsOneFault() throws {
    let machine = TestMachine()
    let file = File(size: 40 * Self.page + 100)  // 41 pages
    let process = TestProcess(machine)
    let space = process.space
    let object = try PageCacheTests.mapFile(file, into: process)
    let faults = space.resolvedFaults
    #expect(process.access(Self.address(18, 3), .read) == .completed([.objectPage]))
    #expect(space.resolvedFaults == faults + 1)
    for page in Self.window..<(2 * Self.window) {
      #expect(process.frame(at: Self.address(page)) == space.objectPage(object, at: page))
      #expect(process.flags(at: Self.address(page))?.contains(.writable) == false)
    }
    #expect(process.frame(at: Self.address(Self.window - 1)) == nil)
    #expect(process.frame(at: Self.address(2 * Self.window)) == nil)
    #expect(space.residentFrames == Self.window)
    // The neighbours read without a fault; a write to one still copies.
    #expect(process.access(Self.address(31, 9), .read) == .completed([]))
    #expect(process.read(Self.address(31, 9)) == PageCacheTests.fileByte(31 * Self.page + 9))
    #expect(process.write(Self.address(17, 1), 0xee) == .completed([.copiedOnWrite]))
    #expect(process.frame(at: Self.address(17)) != space.objectPage(object, at: 17))
    #expect(space.residentFrames == Self.window)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [process]))
    try space.release(start: Self.base, length: file.contents.pageCount * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func theWindowEndsAtTheRegionAndAtTheFilesEnd() throws {
    let machine = TestMachine()
    let file = File(size: 40 * Self.page + 100)  // object pages 0...40
    let process = TestProcess(machine)
    let space = process.space
    let object = try #require(space.cachedFile(file.contents))
    // Pages 2..<10 map object pages 36..<44: 2...6 inside the file, 7...9 past its end.
    _ = try space.reservePrivateMapping(
      of: object, page: 36, length: 8 * Self.page, protection: [.read],
      at: .fixed(Self.address(2)))
    // The next region of the same window maps the file's start.
    _ = try space.reservePrivateMapping(
      of: object, page: 0, length: 4 * Self.page, protection: [.read],
      at: .fixed(Self.address(10)))
    #expect(process.access(Self.address(3), .read) == .completed([.objectPage]))
    for page: UInt64 in 2...6 {
      #expect(process.frame(at: Self.address(page)) == space.objectPage(object, at: 34 + page))
    }
    for page: UInt64 in [0, 1, 7, 8, 9, 10, 11, 12, 13] {
      #expect(process.frame(at: Self.address(page)) == nil)
    }
    #expect(space.residentFrames == 5)
    let past = Self.address(7, 5)
    #expect(
      process.access(past, .read)
        == .killed(KillReason(kind: .pastEndOfFile, address: past, access: .read)))
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [process]))
    try space.release(start: Self.address(2), length: 12 * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func onlyPagesTheObjectHoldsAreMappedAndNoneIsReadIn() throws {
    let machine = TestMachine()
    let process = TestProcess(machine)
    let space = process.space
    let physical = machine.physical
    // A tmpfs file of 16 pages of which 0, 2 and 5 were written.
    let object = try physical.createFileObject(bytes: 16 * Self.page, through: machine.ram)
    var written: [UInt64: PhysicalFrame] = [:]
    for page: UInt64 in [0, 2, 5] {
      written[page] = try physical.filePage(object, at: page, through: machine.ram)
    }
    _ = try space.reservePrivateMapping(
      of: object, page: 0, length: 16 * Self.page, protection: [.read, .write],
      at: .fixed(Self.base))
    #expect(process.access(Self.address(2), .read) == .completed([.objectPage]))
    for page: UInt64 in 0..<16 {
      #expect(process.frame(at: Self.address(page)) == written[page])
    }
    #expect(physical.objects[object].residentPages == 3)
    // A hole's own fault fills it.
    #expect(process.access(Self.address(1), .read) == .completed([.filePage]))
    #expect(physical.objects[object].residentPages == 4)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [process]))
    try space.release(start: Self.base, length: 16 * Self.page)
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func aMappedNeighbourKeepsItsPrivateCopy() throws {
    let machine = TestMachine()
    let file = File(size: 16 * Self.page)
    let process = TestProcess(machine)
    let space = process.space
    let object = try PageCacheTests.mapFile(file, into: process)
    #expect(process.write(Self.address(4, 2), 0x5c) == .completed([.copiedOnWrite]))
    let copy = try #require(process.frame(at: Self.address(4)))
    #expect(process.access(Self.address(0), .read) == .completed([.objectPage]))
    #expect(process.frame(at: Self.address(4)) == copy)
    #expect(process.flags(at: Self.address(4))?.contains(.writable) == true)
    #expect(process.read(Self.address(4, 2)) == 0x5c)
    #expect(process.frame(at: Self.address(5)) == space.objectPage(object, at: 5))
    #expect(space.residentFrames == 16)
    #expect(PageCacheTests.mapCountsMatchLeaves(machine, [process]))
    try space.release(start: Self.base, length: 16 * Self.page)
    machine.physical.dropPageCache(through: machine.ram)
    #expect(machine.tearDownIsClean())
  }

  @Test func theIndexIsReadAcrossItsLastLevelTables() throws {
    let machine = TestMachine()
    let physical = machine.physical
    // 1,100 pages: three last-level index tables (512 pages each).
    let object = try physical.createFileObject(bytes: 1_100 * Self.page, through: machine.ram)
    var written: [UInt64: PhysicalFrame] = [:]
    for page: UInt64 in [0, 511, 512, 1_023, 1_024, 1_099] {
      written[page] = try physical.filePage(object, at: page, through: machine.ram)
    }
    for page: UInt64 in [0, 1, 510, 511, 512, 513, 1_023, 1_024, 1_025, 1_098, 1_099] {
      #expect(physical.residentPage(object, at: page, through: machine.ram) == written[page])
    }
    physical.releaseFileObject(object, through: machine.ram)
    #expect(machine.tearDownIsClean())
  }
}
