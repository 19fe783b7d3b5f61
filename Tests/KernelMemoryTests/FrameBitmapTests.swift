import KernelMemory
import Testing

/// A PC-like map: low RAM ending unaligned, the EBDA/BIOS hole, RAM above 1 MiB with an ACPI table
/// and a bad frame inside it, an MMIO window, and RAM again above it.
let bitmapTestPCMap = [
  MemoryMapEntry(start: 0x10_0000, length: 15 * testMiB, kind: .usable),
  MemoryMapEntry(start: 0, length: 0x9_fc00, kind: .usable),
  MemoryMapEntry(start: 0x9_fc00, length: 0x6_0400, kind: .reserved),
  MemoryMapEntry(start: 0x80_0800, length: 0x2000, kind: .acpiReclaimable),
  MemoryMapEntry(start: 0xa0_0000, length: 0x1000, kind: .badMemory),
  MemoryMapEntry(start: 0xb0_0000, length: 0x1_0000, kind: .acpiNonVolatile),
  MemoryMapEntry(start: 16 * testMiB, length: 16 * testMiB + 0x234, kind: .usable),
  MemoryMapEntry(start: 20 * testMiB, length: 4 * testMiB, kind: .reserved),
]

@Suite struct FrameBitmapTests {
  @Test func buildsFromAMessyMap() throws {
    let kernelImage = PhysicalRange(start: 0x20_0000, length: 0x12_3456)
    let fixture = try BitmapFixture(bitmapTestPCMap, reserving: [kernelImage])
    let bitmap = fixture.bitmap
    #expect(bitmap.frameCount == 32 * testMiB / testFrameBytes)
    for frame in 0..<bitmap.frameCount {
      let usable = fixture.expectedUsable(frame)
      #expect(bitmap.isUsable(PhysicalFrame(number: frame)) == usable)
      #expect(bitmap.isFree(PhysicalFrame(number: frame)) == usable)
    }
    #expect(!bitmap.isUsable(PhysicalFrame(number: 0x9f)))
    #expect(bitmap.isUsable(PhysicalFrame(number: 0x9e)))
    #expect(!bitmap.isUsable(PhysicalFrame(number: 0x800)))
    #expect(!bitmap.isUsable(PhysicalFrame(number: 0x802)))
    #expect(bitmap.isUsable(PhysicalFrame(number: 0x803)))
    #expect(!bitmap.isUsable(PhysicalFrame(number: 0x200)))
    #expect(!bitmap.isUsable(PhysicalFrame(number: 0x323)))
    #expect(bitmap.isUsable(PhysicalFrame(number: 0x324)))
    #expect(bitmap.isConsistent)
  }

  @Test func statisticsAddUp() throws {
    let fixture = try BitmapFixture(
      bitmapTestPCMap, reserving: [PhysicalRange(start: 0, end: testMiB)])
    let bitmap = fixture.bitmap
    let expectedUsable = (0..<bitmap.frameCount).filter(fixture.expectedUsable).count
    var stats = bitmap.statistics
    #expect(stats.totalFrames == 8192)
    #expect(stats.usableFrames == UInt64(expectedUsable))
    #expect(stats.reservedFrames == 8192 - UInt64(expectedUsable))
    #expect(stats.freeFrames == stats.usableFrames)
    #expect(stats.allocatedFrames == 0)
    // The longest run: from the end of the ACPI NVS block (11 MiB + 64 KiB) to the reserved
    // block at 20 MiB, across the boundary between two usable entries at 16 MiB.
    #expect(stats.largestFreeRun == (20 * testMiB - 0xb1_0000) / testFrameBytes)
    let frame = try #require(bitmap.allocate())
    stats = bitmap.statistics
    #expect(stats.allocatedFrames == 1)
    #expect(stats.freeFrames == UInt64(expectedUsable) - 1)
    #expect(frame == PhysicalFrame(number: 0x100))
  }

  @Test func largestRunAcrossMixedWords() throws {
    let fixture = try BitmapFixture(usableBytes: 1024 * testFrameBytes)
    let bitmap = fixture.bitmap
    _ = try bitmap.allocateContiguous(count: 1024)
    try bitmap.free(PhysicalFrame(number: 3), count: 2)
    try bitmap.free(PhysicalFrame(number: 60), count: 70)
    try bitmap.free(PhysicalFrame(number: 200), count: 10)
    #expect(bitmap.statistics.largestFreeRun == 70)
    try bitmap.free(PhysicalFrame(number: 1000), count: 24)
    #expect(bitmap.statistics.largestFreeRun == 70)
    try bitmap.free(PhysicalFrame(number: 900), count: 100)
    #expect(bitmap.statistics.largestFreeRun == 124)
  }

  @Test func singleFramesComeOutOnceAndGoBack() throws {
    let fixture = try BitmapFixture(usableBytes: 1000 * testFrameBytes)
    let bitmap = fixture.bitmap
    var seen = Set<UInt64>()
    while let frame = bitmap.allocate() {
      #expect(seen.insert(frame.number).inserted)
      #expect(!bitmap.isFree(frame))
    }
    #expect(seen.count == 1000)
    #expect(bitmap.freeFrameCount == 0)
    #expect(bitmap.isConsistent)
    for number in seen.sorted().reversed() { try bitmap.free(PhysicalFrame(number: number)) }
    #expect(bitmap.freeFrameCount == 1000)
    #expect(bitmap.isConsistent)
  }

  @Test func exhaustionThenFreeThenAllocateAgain() throws {
    let fixture = try BitmapFixture(usableBytes: 130 * testFrameBytes)
    let bitmap = fixture.bitmap
    var frames: [PhysicalFrame] = []
    while let frame = bitmap.allocate() { frames.append(frame) }
    #expect(frames.count == 130)
    #expect(bitmap.allocate() == nil)
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocateContiguous(count: 1) }
    try bitmap.free(frames[77])
    #expect(bitmap.allocate() == frames[77])
    #expect(bitmap.allocate() == nil)
    try bitmap.free(frames[129])
    try bitmap.free(frames[3])
    #expect(bitmap.isConsistent)
    let again = [bitmap.allocate(), bitmap.allocate(), bitmap.allocate()]
    #expect(Set(again.compactMap { $0 }) == [frames[3], frames[129]])
    #expect(again.contains(nil))
  }

  @Test func freeingMistakesAreTypedErrors() throws {
    let fixture = try BitmapFixture(
      bitmapTestPCMap, reserving: [PhysicalRange(start: 0, end: testMiB)])
    let bitmap = fixture.bitmap
    let frame = try #require(bitmap.allocate())
    try bitmap.free(frame)
    #expect(throws: FrameAllocatorError.doubleFree(frame)) { try bitmap.free(frame) }
    let never = PhysicalFrame(number: 0x1000)
    #expect(throws: FrameAllocatorError.doubleFree(never)) { try bitmap.free(never) }
    let low = PhysicalFrame(number: 5)
    #expect(throws: FrameAllocatorError.reservedFrame(low)) { try bitmap.free(low) }
    let acpi = PhysicalFrame(number: 0x801)
    #expect(throws: FrameAllocatorError.reservedFrame(acpi)) { try bitmap.free(acpi) }
    let beyond = PhysicalFrame(number: bitmap.frameCount)
    #expect(throws: FrameAllocatorError.outOfRange(beyond)) { try bitmap.free(beyond) }
    let far = PhysicalFrame(number: UInt64.max >> 12)
    #expect(throws: FrameAllocatorError.outOfRange(far)) { try bitmap.free(far) }
    #expect(bitmap.freeFrameCount == bitmap.usableFrameCount)
    #expect(bitmap.isConsistent)
  }

  @Test func rangeFreeChecksEveryFrameBeforeWriting() throws {
    let fixture = try BitmapFixture(bitmapTestPCMap)
    let bitmap = fixture.bitmap
    let first = try bitmap.allocateContiguous(count: 100, alignment: 64)
    #expect(first == PhysicalFrame(number: 0))
    try bitmap.free(first.advanced(by: 50))
    let before = bitmap.freeFrameCount
    #expect(throws: FrameAllocatorError.doubleFree(first.advanced(by: 50))) {
      try bitmap.free(first, count: 100)
    }
    #expect(bitmap.freeFrameCount == before)
    #expect(!bitmap.isFree(first))
    // The lowest offending frame decides the error.
    #expect(throws: FrameAllocatorError.doubleFree(PhysicalFrame(number: 0x9e))) {
      try bitmap.free(PhysicalFrame(number: 0x9e), count: 3)
    }
    #expect(throws: FrameAllocatorError.reservedFrame(PhysicalFrame(number: 0x9f))) {
      try bitmap.free(PhysicalFrame(number: 0x9f), count: 2)
    }
    #expect(throws: FrameAllocatorError.outOfRange(PhysicalFrame(number: bitmap.frameCount))) {
      try bitmap.free(PhysicalFrame(number: bitmap.frameCount - 1), count: 2)
    }
    #expect(throws: FrameAllocatorError.invalidRequest) { try bitmap.free(first, count: 0) }
    try bitmap.free(first, count: 50)
    try bitmap.free(first.advanced(by: 51), count: 49)
    #expect(bitmap.freeFrameCount == bitmap.usableFrameCount)
    #expect(bitmap.isConsistent)
  }

  @Test func contiguousAlignedAllocation() throws {
    let fixture = try BitmapFixture(
      bitmapTestPCMap, reserving: [PhysicalRange(start: 0, end: testMiB)])
    let bitmap = fixture.bitmap
    let huge = try bitmap.allocate(.size2MiB)
    #expect(huge == PhysicalFrame(number: 512))
    #expect((512..<1024).allSatisfy { !bitmap.isFree(PhysicalFrame(number: $0)) })
    let second = try bitmap.allocate(.size2MiB)
    #expect(second == PhysicalFrame(number: 1024))
    _ = try bitmap.allocate(.size2MiB)
    // 8 MiB holds the ACPI table and 10 MiB the bad frame: the next fit is at 12 MiB.
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 3072))
    let odd = try bitmap.allocateContiguous(count: 3, alignment: 8)
    #expect(odd.number % 8 == 0)
    #expect(throws: FrameAllocatorError.invalidRequest) {
      try bitmap.allocateContiguous(count: 4, alignment: 3)
    }
    #expect(throws: FrameAllocatorError.invalidRequest) {
      try bitmap.allocateContiguous(count: 0)
    }
    #expect(throws: FrameAllocatorError.outOfMemory) {
      try bitmap.allocateContiguous(count: 4096)
    }
    try bitmap.free(huge, size: .size2MiB)
    #expect(try bitmap.allocate(.size2MiB) == huge)
    #expect(bitmap.isConsistent)
  }

  @Test func largeSearchesSkipFragmentedMemoryButSeeNewlyFreedWords() throws {
    let fixture = try BitmapFixture(usableBytes: 4096 * testFrameBytes)
    let bitmap = fixture.bitmap
    _ = try bitmap.allocateContiguous(count: 4096)
    // Free every other frame: no whole word is free anywhere.
    for number in stride(from: UInt64(0), to: 4096, by: 2) {
      try bitmap.free(PhysicalFrame(number: number))
    }
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocateContiguous(count: 128) }
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocateContiguous(count: 128) }
    // Make frames 64..<256 whole again, below where the failed searches stopped.
    for number in stride(from: UInt64(65), to: 256, by: 2) {
      try bitmap.free(PhysicalFrame(number: number))
    }
    #expect(try bitmap.allocateContiguous(count: 128) == PhysicalFrame(number: 64))
    #expect(try bitmap.allocateContiguous(count: 64, alignment: 64) == PhysicalFrame(number: 192))
    #expect(bitmap.isConsistent)
    // Small runs never rely on whole words.
    #expect(try bitmap.allocateContiguous(count: 1) == PhysicalFrame(number: 0))
  }

  @Test func allocationBelowALimit() throws {
    let fixture = try BitmapFixture([
      MemoryMapEntry(start: 0, length: 6 * testGiB, kind: .usable),
      MemoryMapEntry(start: 3 * testGiB, length: testGiB, kind: .reserved),
    ])
    let bitmap = fixture.bitmap
    let dmaLimit = try #require(PhysicalAddress(4 * testGiB))
    let threeGiB = 3 * testGiB / testFrameBytes
    _ = try bitmap.allocateContiguous(count: threeGiB - 3)
    let low = try bitmap.allocateContiguous(count: 2, below: dmaLimit)
    #expect(low.number == threeGiB - 3)
    #expect(throws: FrameAllocatorError.outOfMemory) {
      try bitmap.allocateContiguous(count: 2, below: dmaLimit)
    }
    let last = try bitmap.allocateContiguous(count: 1, below: dmaLimit)
    #expect(last.number == threeGiB - 1)
    #expect(throws: FrameAllocatorError.outOfMemory) {
      try bitmap.allocateContiguous(count: 1, below: dmaLimit)
    }
    let high = try bitmap.allocateContiguous(count: 2)
    #expect(high.number == 4 * testGiB / testFrameBytes)
    // A limit inside a frame excludes that frame: it does not lie wholly below the limit.
    try bitmap.free(high, count: 2)
    let unaligned = try #require(PhysicalAddress(4 * testGiB + 0x1800))
    #expect(try bitmap.allocateContiguous(count: 1, alignment: 2, below: unaligned) == high)
    #expect(throws: FrameAllocatorError.outOfMemory) {
      try bitmap.allocateContiguous(count: 1, below: unaligned)
    }
  }

  @Test func reserveAfterBuildWithdrawsFreeFramesOnly() throws {
    let fixture = try BitmapFixture(usableBytes: 256 * testFrameBytes)
    let bitmap = fixture.bitmap
    let taken = try bitmap.allocateContiguous(count: 10)
    let overlapping = PhysicalRange(start: 5 * testFrameBytes, length: 20 * testFrameBytes)
    #expect(throws: FrameAllocatorError.frameInUse(PhysicalFrame(number: 5))) {
      try bitmap.reserve(overlapping)
    }
    #expect(bitmap.usableFrameCount == 256)
    try bitmap.reserve(PhysicalRange(start: 100 * testFrameBytes + 1, length: 100 * testFrameBytes))
    #expect(bitmap.usableFrameCount == 155)
    #expect(bitmap.freeFrameCount == 145)
    #expect(!bitmap.isUsable(PhysicalFrame(number: 200)))
    #expect(bitmap.isUsable(PhysicalFrame(number: 201)))
    try bitmap.reserve(PhysicalRange(start: 100 * testFrameBytes, length: 50 * testFrameBytes))
    try bitmap.reserve(PhysicalRange(start: 300 * testFrameBytes, length: 50 * testFrameBytes))
    #expect(bitmap.usableFrameCount == 155)
    #expect(throws: FrameAllocatorError.reservedFrame(PhysicalFrame(number: 150))) {
      try bitmap.free(PhysicalFrame(number: 150))
    }
    try bitmap.free(taken, count: 10)
    #expect(bitmap.isConsistent)
  }

  @Test func rejectsBadStorageAndEmptyMaps() throws {
    let map = MemoryMap([MemoryMapEntry(start: 0, length: 64 * testMiB, kind: .usable)])
    let words = FrameBitmap.requiredStorageWords(frameCount: map.frameLimit)
    let small = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: words - 1)
    defer { small.deallocate() }
    #expect(throws: FrameAllocatorError.storageTooSmall(requiredWords: words)) {
      _ = try FrameBitmap(memoryMap: map, reserving: [PhysicalRange](), storage: small)
    }
    let empty = MemoryMap([MemoryMapEntry(start: 0, length: 0x800, kind: .usable)])
    #expect(throws: FrameAllocatorError.noUsableMemory) {
      _ = try FrameBitmap(memoryMap: empty, reserving: [PhysicalRange](), storage: small)
    }
    #expect(
      FrameBitmap.requiredStorageBytes(frameCount: map.frameLimit) == words * 8)
  }

  @Test func storageStaysSmall() {
    let oneTiB: UInt64 = 1 << 28
    let bytes = FrameBitmap.requiredStorageBytes(frameCount: oneTiB)
    // Two bits per frame plus summaries (about 1/64 more) and a small header.
    #expect(bytes > Int(oneTiB / 4))
    #expect(bytes < Int(oneTiB / 4 + oneTiB / 128))
    #expect(FrameBitmap.requiredStorageWords(frameCount: 1) > 2)
  }

  @Test func summariesFindTheLastFreeFrameInALargeMap() throws {
    // 64 GiB: 2^24 frames, three summary levels.
    let fixture = try BitmapFixture(usableBytes: 64 * testGiB)
    let bitmap = fixture.bitmap
    let total = bitmap.frameCount
    let all = try bitmap.allocateContiguous(count: total)
    #expect(all.number == 0)
    #expect(bitmap.allocate() == nil)
    let lonely = PhysicalFrame(number: total - 7)
    try bitmap.free(lonely)
    try bitmap.free(PhysicalFrame(number: 0))
    #expect(bitmap.allocate() == PhysicalFrame(number: 0))
    #expect(bitmap.allocate() == lonely)
    #expect(bitmap.allocate() == nil)
    try bitmap.free(lonely)
    #expect(try bitmap.allocate(.size4KiB) == lonely)
    #expect(bitmap.isConsistent)
  }

  @Test func sparseTerabyteMapUsesEveryLevel() throws {
    // RAM only at both ends of 1 TiB: 2^28 frames, four summary levels, almost all reserved.
    let terabyte: UInt64 = 1 << 40
    let fixture = try BitmapFixture([
      MemoryMapEntry(start: 0, length: 64 * testFrameBytes, kind: .usable),
      MemoryMapEntry(
        start: terabyte - 64 * testFrameBytes, length: 64 * testFrameBytes, kind: .usable),
    ])
    let bitmap = fixture.bitmap
    #expect(bitmap.frameCount == terabyte / testFrameBytes)
    #expect(bitmap.usableFrameCount == 128)
    var frames: [UInt64] = []
    while let frame = bitmap.allocate() { frames.append(frame.number) }
    #expect(frames == Array(0..<64) + Array((bitmap.frameCount - 64)..<bitmap.frameCount))
    try bitmap.free(PhysicalFrame(number: bitmap.frameCount - 1))
    try bitmap.free(PhysicalFrame(number: 5))
    #expect(bitmap.allocate() == PhysicalFrame(number: 5))
    #expect(bitmap.allocate() == PhysicalFrame(number: bitmap.frameCount - 1))
    #expect(throws: FrameAllocatorError.reservedFrame(PhysicalFrame(number: 1 << 20))) {
      try bitmap.free(PhysicalFrame(number: 1 << 20))
    }
    #expect(bitmap.isConsistent)
  }

  @Test func framesSourceConformance() throws {
    let fixture = try BitmapFixture(usableBytes: 8 * testFrameBytes)
    var source = fixture.bitmap
    let allocated = source.allocateFrame()
    let frame = try #require(allocated)
    #expect(fixture.bitmap.freeFrameCount == 7)
    source.releaseFrame(frame)
    #expect(fixture.bitmap.freeFrameCount == 8)
    #expect(takeAndGive(&source) == 8)
  }

  /// Drives the bitmap only through the protocol, as `PageMap` will.
  private func takeAndGive(_ source: inout some FrameSource) -> Int {
    var frames: [PhysicalFrame] = []
    while let frame = source.allocateFrame() { frames.append(frame) }
    for frame in frames { source.releaseFrame(frame) }
    return frames.count
  }
}
