import Testing

@testable import KernelMemory

/// Contiguous searches that fail must not scan the bitmap: counted in words read
/// (`ContiguousSearchCost`), which a timing test could not pin down on a shared machine.
@Suite struct FrameBitmapSearchCostTests {
  /// 16 GiB (8192 blocks, 2^18 words) in which every block has its first frame allocated and the
  /// other 511 free: plenty of free memory and whole free words, no free 2 MiB block. A scan
  /// would read every block's words.
  static func pinnedBlocks() throws -> BitmapFixture {
    let fixture = try BitmapFixture(usableBytes: 16 * testGiB)
    let bitmap = fixture.bitmap
    _ = try bitmap.allocateContiguous(count: bitmap.frameCount)
    for block in 0..<UInt64(bitmap.blockCount) {
      try bitmap.free(PhysicalFrame(number: block * 512 + 1), count: 511)
    }
    return fixture
  }

  /// Words a search reads, and what it found.
  func search(
    _ bitmap: FrameBitmap, count: UInt64, alignment: UInt64, end: UInt64? = nil
  ) -> (found: UInt64?, words: Int) {
    var cost = ContiguousSearchCost()
    let found = bitmap.findFreeRun(
      count: count, alignment: alignment, end: end ?? bitmap.frameCount, cost: &cost)
    return (found, cost.wordsRead)
  }

  @Test func failingSearchesReadAFewWords() throws {
    let fixture = try Self.pinnedBlocks()
    let bitmap = fixture.bitmap
    // The free-block tree at 16 GiB has 3 levels: a failing search reads at most one word each.
    let levels = bitmap.freeBlocks.topLevel + 1
    for (count, alignment): (UInt64, UInt64) in [(512, 512), (262_144, 262_144), (1023, 1)] {
      let result = search(bitmap, count: count, alignment: alignment)
      #expect(result.found == nil)
      #expect(result.words <= levels, "\(count)/\(alignment) read \(result.words) words")
    }
    #expect(bitmap.isConsistent)
  }

  @Test func succeedingAndFailingSearchesCostTheSame() throws {
    let fixture = try Self.pinnedBlocks()
    let bitmap = fixture.bitmap
    // Free the last block completely: found by settling the block (8 words) and one climb and
    // one descent of the tree.
    let last = UInt64(bitmap.blockCount - 1) * 512
    try bitmap.free(PhysicalFrame(number: last))
    #expect(bitmap.unsettledBlock == bitmap.blockCount - 1)
    let found = search(bitmap, count: 512, alignment: 512)
    #expect(found.found == last)
    #expect(found.words <= 8 + 2 * (bitmap.freeBlocks.topLevel + 1))
    // Below a limit that excludes it, the search fails as fast.
    let limited = search(bitmap, count: 512, alignment: 512, end: last)
    #expect(limited.found == nil)
    #expect(limited.words <= found.words)
  }

  @Test func failingGigabyteSearchesReadTheMapNotTheBitmap() throws {
    let fixture = try Self.pinnedBlocks()
    let bitmap = fixture.bitmap
    // One whole free block in every 1 GiB (512 blocks): 16 candidates, none entirely free.
    let gigabyteBlocks = 512
    for slot in 0..<(bitmap.blockCount / gigabyteBlocks) {
      try bitmap.free(PhysicalFrame(number: UInt64(slot * gigabyteBlocks + 3) * 512))
    }
    let result = search(bitmap, count: 262_144, alignment: 262_144)
    #expect(result.found == nil)
    // Per candidate: 8 map words for its 512 blocks and a climb and descent of the tree.
    let perCandidate = 8 + 2 * (bitmap.freeBlocks.topLevel + 1)
    #expect(result.words <= 8 + 16 * perCandidate, "read \(result.words) words")
    #expect(bitmap.isConsistent)
  }
}
