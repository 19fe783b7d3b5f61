import KernelMemory
import KernelMemoryEmulation
import Testing

@Suite struct EmulationFrameSourceTests {
  static let first = PhysicalFrame(number: 16)

  static func pool(count: UInt64 = 4) -> SimpleFramePool {
    SimpleFramePool(ram: EmulatedRAM(frameCount: 32), first: first, count: count)
  }

  @Test func poolHandsOutLowestFramesFirstUntilEmpty() {
    let pool = Self.pool(count: 2)
    #expect(pool.allocateFrame() == Self.first)
    #expect(pool.allocateFrame() == Self.first.advanced(by: 1))
    #expect(pool.allocateFrame() == nil)
    #expect(pool.freeCount == 0)
  }

  @Test func poolPoisonsAndReusesReleasedFrames() {
    let pool = Self.pool()
    let frame = pool.allocateFrame()!
    pool.releaseFrame(frame)
    #expect(pool.ram.isPoisoned(frame))
    #expect(pool.allocateFrame() == frame)
    #expect(pool.freeCount == 3)
  }

  @Test func countingSourceTracksOutstandingFrames() {
    let source = CountingFrameSource(wrapping: Self.pool())
    let a = source.allocateFrame()!
    let b = source.allocateFrame()!
    #expect(source.outstandingCount == 2)
    #expect(source.outstandingFrames == [a, b])
    source.releaseFrame(a)
    source.releaseFrame(b)
    #expect(source.outstandingCount == 0)
    #expect(source.allocations == 2 && source.releases == 2)
    #expect(source.inner.freeCount == 4)
  }

  @Test func armedSourceRefusesTheChosenRequest() {
    let source = CountingFrameSource(wrapping: Self.pool())
    source.failurePlan = .request(2)
    #expect(source.allocateFrame() != nil)
    #expect(source.allocateFrame() == nil)
    #expect(source.allocateFrame() != nil)
    #expect(source.failedAllocations == 1)
    #expect(source.outstandingCount == 2)
  }

  @Test func armedSourceRefusesEverythingAfterN() {
    let source = CountingFrameSource(wrapping: Self.pool())
    _ = source.allocateFrame()
    source.failurePlan = .allAfter(1)
    #expect(source.allocateFrame() != nil)
    #expect(source.allocateFrame() == nil)
    #expect(source.allocateFrame() == nil)
    source.failurePlan = .never
    #expect(source.allocateFrame() != nil)
  }

  @Test func exhaustedInnerSourceCountsAsAFailure() {
    let source = CountingFrameSource(wrapping: Self.pool(count: 1))
    _ = source.allocateFrame()
    #expect(source.allocateFrame() == nil)
    #expect(source.failedAllocations == 1)
  }

  @Test func misusedReleasesAreRecordedNotPassedOn() {
    let source = CountingFrameSource(wrapping: Self.pool())
    let frame = source.allocateFrame()!
    source.releaseFrame(frame)
    source.releaseFrame(frame)
    let stranger = PhysicalFrame(number: 2)
    source.releaseFrame(stranger)
    #expect(source.releaseErrors == [.doubleRelease(frame), .foreignFrame(stranger)])
    #expect(source.releases == 1)
    #expect(source.inner.freeCount == 4)
  }
}
