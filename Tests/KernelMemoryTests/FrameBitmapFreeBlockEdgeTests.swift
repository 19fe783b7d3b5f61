import Testing

@testable import KernelMemory

/// The free-block map at the edges: a partial last block, reservations made at boot, holes in the
/// memory map, and runs that are not block-aligned.
@Suite struct FrameBitmapFreeBlockEdgeTests {
  @Test func partialLastBlockIsNeverFree() throws {
    // 5 MiB + 12 KiB: blocks 0 and 1 whole, block 2 has 259 frames.
    let fixture = try BitmapFixture(usableBytes: 5 * testMiB + 3 * testFrameBytes)
    let bitmap = fixture.bitmap
    #expect(bitmap.frameCount == 1283 && bitmap.blockCount == 3)
    #expect(bitmap.freeBlocks.contains(0) && bitmap.freeBlocks.contains(1))
    #expect(!bitmap.freeBlocks.contains(2))
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 0))
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 512))
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocate(.size2MiB) }
    // The tail is still there for shorter runs, and freeing it all leaves the block partial.
    let tail = try bitmap.allocateContiguous(count: 259)
    #expect(tail == PhysicalFrame(number: 1024))
    try bitmap.free(tail, count: 259)
    #expect(!bitmap.freeBlocks.contains(2))
    // A single free that completes the last whole block leaves it unsettled; the next 2 MiB
    // search settles it and finds it.
    try bitmap.free(PhysicalFrame(number: 512), count: 511)
    #expect(!bitmap.freeBlocks.contains(1))
    try bitmap.free(PhysicalFrame(number: 1023))
    #expect(bitmap.unsettledBlock == 1)
    #expect(bitmap.isConsistent)
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 512))
    #expect(bitmap.unsettledBlock == nil)
    // Unsettling another block settles the first. Allocate from a full word of block 1: its bit
    // goes stale.
    try bitmap.free(PhysicalFrame(number: 0), size: .size2MiB)
    try bitmap.free(PhysicalFrame(number: 512), size: .size2MiB)
    let taken = try #require(bitmap.allocate())
    #expect(taken.number / 512 == 1 && bitmap.unsettledBlock == 1 && bitmap.freeBlocks.contains(1))
    // A frame of block 0, taken by a range operation (exact at once), then freed by a single free
    // that fills its word: block 0 becomes the unsettled one, and block 1 is settled on the way.
    #expect(try bitmap.allocateContiguous(count: 1) == PhysicalFrame(number: 0))
    #expect(!bitmap.freeBlocks.contains(0))
    try bitmap.free(PhysicalFrame(number: 0))
    #expect(!bitmap.freeBlocks.contains(1) && bitmap.unsettledBlock == 0)
    #expect(bitmap.isConsistent)
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 0))
    #expect(bitmap.isConsistent)
  }

  @Test func blockSizedMemoryAndWordPadding() throws {
    // 3 MiB: 12 words of frames, padded to 16; one whole block.
    let fixture = try BitmapFixture(usableBytes: 3 * testMiB)
    let bitmap = fixture.bitmap
    #expect(bitmap.blockCount == 2 && bitmap.freeBlocks.contains(0))
    #expect(!bitmap.freeBlocks.contains(1))
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 0))
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocate(.size2MiB) }
    // Exactly one block of memory, and one frame less.
    let one = try BitmapFixture(usableBytes: 2 * testMiB)
    #expect(one.bitmap.blockCount == 1 && one.bitmap.freeBlocks.contains(0))
    let short = try BitmapFixture(usableBytes: 2 * testMiB - testFrameBytes)
    #expect(short.bitmap.blockCount == 1 && !short.bitmap.freeBlocks.contains(0))
    #expect(throws: FrameAllocatorError.outOfMemory) { try short.bitmap.allocate(.size2MiB) }
  }

  @Test func bootReservationsBreakTheirBlocks() throws {
    // 8 MiB; one frame reserved in block 1, and a range reaching one byte into block 3.
    let fixture = try BitmapFixture(
      [MemoryMapEntry(start: 0, length: 8 * testMiB, kind: .usable)],
      reserving: [
        PhysicalRange(start: 2 * testMiB + testFrameBytes, length: testFrameBytes),
        PhysicalRange(start: 5 * testMiB, length: testMiB + 1),
      ])
    let bitmap = fixture.bitmap
    #expect((0..<4).map(bitmap.freeBlocks.contains) == [true, false, false, false])
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 0))
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocate(.size2MiB) }
    try bitmap.free(PhysicalFrame(number: 0), size: .size2MiB)
    // A reservation after the build breaks the block too.
    try bitmap.reserve(PhysicalRange(start: testMiB, length: 1))
    #expect(!bitmap.freeBlocks.contains(0))
    #expect(throws: FrameAllocatorError.outOfMemory) { try bitmap.allocate(.size2MiB) }
    #expect(bitmap.isConsistent)
  }

  @Test func holesInTheMemoryMap() throws {
    // RAM at 0–3 MiB and 5–12 MiB: blocks 1 and 2 each have part of the hole.
    let fixture = try BitmapFixture([
      MemoryMapEntry(start: 0, length: 3 * testMiB, kind: .usable),
      MemoryMapEntry(start: 5 * testMiB, length: 7 * testMiB, kind: .usable),
    ])
    let bitmap = fixture.bitmap
    #expect((0..<6).map(bitmap.freeBlocks.contains) == [true, false, false, true, true, true])
    // 1024 frames: not at 0 (only 768 before the hole), first at 5 MiB.
    #expect(try bitmap.allocateContiguous(count: 1024) == PhysicalFrame(number: 1280))
    #expect(try bitmap.allocate(.size2MiB) == PhysicalFrame(number: 0))
    // 4 MiB aligned to 4 MiB: blocks 4 and 5 (8–12 MiB); 0–4 MiB is taken or in the hole.
    try bitmap.free(PhysicalFrame(number: 1280), count: 1024)
    #expect(
      try bitmap.allocateContiguous(count: 1024, alignment: 1024) == PhysicalFrame(number: 2048))
    #expect(throws: FrameAllocatorError.outOfMemory) {
      try bitmap.allocateContiguous(count: 1024, alignment: 512)
    }
    #expect(bitmap.isConsistent)
  }

  @Test func unalignedLongRunsStartBeforeTheirFirstFreeBlock() throws {
    let fixture = try BitmapFixture(usableBytes: 16 * testMiB)
    let bitmap = fixture.bitmap
    let all = try bitmap.allocateContiguous(count: bitmap.frameCount)
    try bitmap.free(all, count: bitmap.frameCount)
    // Pin frames 100 and 2000: the first 1500-frame run is 101..<1601.
    _ = try bitmap.allocateContiguous(count: 1, alignment: 1)
    try bitmap.free(PhysicalFrame(number: 0))
    for pinned: UInt64 in [100, 2000] {
      try bitmap.reserve(PhysicalRange(first: PhysicalFrame(number: pinned), count: 1))
    }
    #expect(try bitmap.allocateContiguous(count: 1500) == PhysicalFrame(number: 101))
    // 1023 frames hold a whole block wherever they start: 1601..<2000 is too short, so 2001.
    #expect(try bitmap.allocateContiguous(count: 1023, alignment: 1) == PhysicalFrame(number: 2001))
    // A 2 MiB run with a tail: 600 frames aligned to 512, the block after 2001+1023 frames.
    #expect(
      try bitmap.allocateContiguous(count: 600, alignment: 512) == PhysicalFrame(number: 3072))
    #expect(bitmap.isConsistent)
  }
}
