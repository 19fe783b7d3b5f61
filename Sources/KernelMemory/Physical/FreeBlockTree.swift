/// The free-block map: one bit per 2 MiB block of frames (512 frames, 512-aligned), set exactly
/// when every frame of the block is free, with a 64-ary summary tree over it shaped like the frame
/// bitmap's (bit i of level k is set exactly when word i of level k-1 is nonzero; bits past the
/// end of a level are zero).
///
/// It is what makes a 2 MiB request cost the same whether it succeeds or fails: the lowest entirely
/// free block at or after a position is one climb and one descent, O(levels) — 5 loads at 1 TiB —
/// while without it a failing search had to look at every word of the bitmap (9.8 ms at 1 TiB).
///
/// Like `FrameBitmap`, it is a handle on the caller's storage: the geometry lives in the header
/// (`BitmapLayout.HeaderSlot.blockTopLevel` and after), written once by `BitmapLayout.write`.
/// Unchecked pointer accesses are safe for the same reason as in the frame tree: every level is in
/// `0...topLevel` and every word index comes from a bit the invariant says exists.
///
/// Its search (the lowest entirely free block at or after a position) is the frame bitmap's:
/// `SummaryTree.nextSetBit`.
struct FreeBlockTree: SummaryTree {
  /// The start of the allocator's storage.
  let header: UnsafeMutablePointer<UInt64>

  /// The index of the top level, a single word.
  var topLevel: Int { Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.blockTopLevel]) }

  /// The words of level `level` (0 = one bit per block).
  func words(atLevel level: Int) -> UnsafeMutablePointer<UInt64> {
    header + Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.blockLevelOffsets &+ level])
  }

  /// How many words level `level` has.
  func wordCount(ofLevel level: Int) -> Int {
    Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.blockLevelWords &+ level])
  }

  /// Word `index` of level `level`.
  func word(atLevel level: Int, _ index: Int) -> UInt64 { words(atLevel: level)[index] }

  /// Whether block `block` is marked entirely free.
  func contains(_ block: Int) -> Bool {
    words(atLevel: 0)[block &>> BitmapWord.indexShift] & BitmapWord.bit(of: UInt64(block)) != 0
  }

  /// Marks block `block` entirely free, setting summary bits for as long as a word was empty.
  func insert(_ block: Int) {
    var index = block
    for level in 0...topLevel {
      let here = words(atLevel: level)
      let slot = index &>> BitmapWord.indexShift
      let previous = here[slot]
      here[slot] = previous | (1 &<< (index & Int(BitmapWord.bitIndexMask)))
      if previous != 0 { return }
      index = slot
    }
  }

  /// Marks block `block` not entirely free (it may be already), clearing summary bits for as long
  /// as that empties a word.
  func remove(_ block: Int) {
    let here = words(atLevel: 0)
    let slot = block &>> BitmapWord.indexShift
    let previous = here[slot]
    let updated = previous & ~(1 &<< (block & Int(BitmapWord.bitIndexMask)))
    guard updated != previous else { return }
    here[slot] = updated
    if updated == 0 { noteWordEmptied(slot) }
  }

  /// Level-0 word `index` has just become empty: clear its bit in the levels above for as long as
  /// that empties the word holding it.
  func noteWordEmptied(_ index: Int) {
    var index = index
    var level = 0
    while level < topLevel {
      level &+= 1
      let here = words(atLevel: level)
      let slot = index &>> BitmapWord.indexShift
      let updated = here[slot] & ~(1 &<< (index & Int(BitmapWord.bitIndexMask)))
      here[slot] = updated
      if updated != 0 { return }
      index = slot
    }
  }

  /// The lowest block of `blocks` (inside the map) not marked entirely free, or nil.
  func firstMissing(in blocks: Range<UInt64>, cost: inout ContiguousSearchCost) -> UInt64? {
    let level0 = words(atLevel: 0)
    for (word, mask) in BitmapRunWords(blocks) {
      cost.wordsRead &+= 1
      let missing = mask & ~level0[word]
      if missing != 0 {
        return UInt64(word) << BitmapWord.indexShift | UInt64(missing.trailingZeroBitCount)
      }
    }
    return nil
  }

  /// Whether every summary bit matches the word below it and bits past each level's end are zero
  /// (level 0's bits past `blockCount` included).
  func summariesAreExact(blockCount: Int) -> Bool {
    let level0 = words(atLevel: 0)
    for index in blockCount..<(wordCount(ofLevel: 0) * BitmapWord.bitCount) {
      guard level0[index >> 6] & (1 << UInt64(index & 63)) == 0 else { return false }
    }
    for level in 1...topLevel {
      let below = words(atLevel: level - 1)
      let here = words(atLevel: level)
      let bits = wordCount(ofLevel: level - 1)
      for index in 0..<(wordCount(ofLevel: level) * BitmapWord.bitCount) {
        let expected = index < bits && below[index] != 0
        guard expected == (here[index >> 6] & (1 << UInt64(index & 63)) != 0) else { return false }
      }
    }
    return true
  }
}

/// What a contiguous search cost, for tests that prove a search does not scan the bitmap: every
/// word of the frame bitmap, its summaries or the free-block tree that the search reads.
struct ContiguousSearchCost {
  /// Words read so far.
  var wordsRead = 0
}
