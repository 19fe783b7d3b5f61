import KernelMemory
import KernelMemoryEmulation
import Testing

/// `residentObjectPages`: the cache pages a private file mapping maps count; the private
/// copy a write makes does not.
@Suite struct ResidencyTests {
  @Test func countsTheObjectsFramesNotPrivateCopies() throws {
    let machine = TestMachine()
    let file = PageCacheTests.TestFile()
    let process = TestProcess(machine)
    _ = try PageCacheTests.mapFile(file, into: process)
    let region = try #require(process.space.region(containing: PageCacheTests.address(0)))
    #expect(process.space.residentObjectPages(of: region) == 0)
    // The read of page 0 maps the file's other two pages too (fault-around, `mapAround`).
    _ = process.access(PageCacheTests.address(0), .read)
    #expect(process.space.residentObjectPages(of: region) == 3)
    _ = process.access(PageCacheTests.address(1), .write)
    #expect(process.space.residentObjectPages(of: region) == 2)
    #expect(process.space.residentFrames == 3)
  }
}
