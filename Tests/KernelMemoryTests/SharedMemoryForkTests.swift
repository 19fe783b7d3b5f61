import KernelMemory
import KernelMemoryEmulation
import Testing

/// `MAP_SHARED | MAP_ANONYMOUS` across fork: one memory object behind every region that maps
/// it, pages shared whoever touches them first and whenever, charged once, and destroyed
/// with the last region that refers to it.
@Suite struct SharedMemoryForkTests {
  static let page = PageSize.size4KiB.bytes
  static let base: UInt64 = 0x4000_0000

  static func parentWithSharedPages(_ pages: UInt64 = 4) throws -> (TestMachine, TestProcess) {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: pages * page, protection: [.read, .write], kind: .sharedAnonymous,
      at: .fixed(base))
    return (machine, parent)
  }

  static func address(_ index: UInt64) -> UInt64 { base + index * page }

  @Test func pagesTouchedBeforeAndAfterTheForkAreSharedBothWays() throws {
    let (machine, parent) = try Self.parentWithSharedPages()
    parent.write(Self.address(0), 1)
    let child = try parent.fork(machine)
    #expect(child.read(Self.address(0)) == 1)
    // The first write takes the child's own copy of the table fork shared (no page copied).
    #expect(child.write(Self.address(0), 2) == .completed([.unsharedTable]))
    #expect(parent.read(Self.address(0)) == 2)
    // First touched after the fork, by the child, then by the parent.
    #expect(child.write(Self.address(1), 3) == .completed([.zeroedFrame]))
    #expect(parent.read(Self.address(1)) == 3)
    #expect(parent.write(Self.address(2), 4) == .completed([.zeroedFrame]))
    #expect(child.access(Self.address(2), .read) == .completed([.objectPage]))
    #expect(child.read(Self.address(2)) == 4)
    // A first read maps the object's page, never the zero page: a later write is seen.
    #expect(child.read(Self.address(3)) == 0)
    #expect(child.frame(at: Self.address(3)) != machine.zeroPage)
    parent.write(Self.address(3), 5)
    #expect(child.read(Self.address(3)) == 5)
    #expect(parent.frame(at: Self.address(3)) == child.frame(at: Self.address(3)))
    let frame = parent.frame(at: Self.address(3))!
    #expect(machine.physical.frameTable[frame] == FrameInfo(mapCount: 2, state: .shared))
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func theObjectIsChargedOnceAndOutlivesTheRegionsUntilTheLastGoes() throws {
    let (machine, parent) = try Self.parentWithSharedPages(8)
    let objectCharge = machine.physical.objects.totalCharge
    #expect(objectCharge == MemoryObject.charge(forPages: 8))
    let before = machine.commit.committed
    let child = try parent.fork(machine)
    // The child pays for its own page tables, not for the object's pages again.
    #expect(machine.commit.committed == before + parent.space.committedFrames)
    #expect(parent.space.committedFrames == before - objectCharge)
    #expect(parent.space.commitAudit().isEmpty && child.space.commitAudit().isEmpty)
    child.write(Self.address(5), 0x55)
    try parent.space.release(start: Self.base, length: 8 * Self.page)
    #expect(machine.physical.objects.count == 1)
    #expect(child.read(Self.address(5)) == 0x55)
    let frames = machine.framesInUse
    child.space.tearDown()
    #expect(machine.physical.objects.count == 0)
    #expect(machine.framesInUse < frames)
    #expect(machine.tearDownIsClean())
  }

  @Test func dontNeedKeepsTheObjectsPagesAndRemoveDropsThem() throws {
    let (machine, parent) = try Self.parentWithSharedPages(2)
    parent.write(Self.address(0), 7)
    parent.write(Self.address(1), 8)
    let child = try parent.fork(machine)
    try child.space.advise(VirtualRange(start: Self.base, length: 2 * Self.page), .dontNeed)
    #expect(child.frame(at: Self.address(0)) == nil)
    #expect(child.read(Self.address(0)) == 7 && parent.read(Self.address(0)) == 7)
    try parent.space.advise(VirtualRange(start: Self.address(1), length: Self.page), .remove)
    #expect(parent.read(Self.address(1)) == 0)
    parent.write(Self.address(1), 9)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func splitMovedAndGrownRegionsStillMapTheSameObject() throws {
    let (machine, parent) = try Self.parentWithSharedPages(4)
    let child = try parent.fork(machine)
    // mprotect splits the child's region in three; the pieces keep their offsets.
    try child.space.protect(start: Self.address(1), length: Self.page, protection: .read)
    #expect(child.space.regions.count == 3)
    child.write(Self.address(2), 0x22)
    #expect(parent.read(Self.address(2)) == 0x22)
    // mremap moves the parent's last two pages elsewhere: still the object's.
    let target: UInt64 = 0x6000_0000
    _ = try parent.space.remap(
      start: Self.address(2), oldLength: 2 * Self.page, newLength: 2 * Self.page,
      placement: .fixed(target))
    #expect(parent.read(target) == 0x22)
    parent.write(target + Self.page, 0x33)
    #expect(child.read(Self.address(3)) == 0x33)
    // Growing the moved piece in place continues the object beyond its old end.
    _ = try parent.space.remap(
      start: target, oldLength: 2 * Self.page, newLength: 3 * Self.page, placement: .inPlace)
    parent.write(target + 2 * Self.page, 0x44)
    #expect(parent.space.regions.count == 2)
    #expect(parent.space.commitAudit().isEmpty)
    #expect(
      machine.commit.committed
        == parent.space.committedFrames + child.space.committedFrames
        + machine.physical.objects.totalCharge)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }

  @Test func privateAndSharedMemoryStayApartAcrossFork() throws {
    let machine = TestMachine()
    let parent = TestProcess(machine)
    _ = try parent.space.reserve(
      length: Self.page, protection: [.read, .write], kind: .sharedAnonymous,
      at: .fixed(Self.base))
    _ = try parent.space.reserve(
      length: Self.page, protection: [.read, .write], at: .fixed(Self.address(1)))
    #expect(parent.space.regions.count == 2)
    parent.write(Self.address(0), 1)
    parent.write(Self.address(1), 1)
    let child = try parent.fork(machine)
    child.write(Self.address(0), 2)
    child.write(Self.address(1), 2)
    #expect(parent.read(Self.address(0)) == 2 && parent.read(Self.address(1)) == 1)
    child.space.tearDown()
    #expect(machine.tearDownIsClean())
  }
}
