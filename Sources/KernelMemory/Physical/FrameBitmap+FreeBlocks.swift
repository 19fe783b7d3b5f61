/// Keeping the free-block map (`FreeBlockTree`) exact where it is read: bit b is set exactly when
/// the 8 level-0 words of block b are all ones — for every block but at most one, the unsettled
/// block, whose bit may be stale.
///
/// A block can only become entirely free when one of its words becomes all ones, and only stop
/// being so when a word that was all ones loses a frame. The single-frame paths branch on those
/// two events, and instead of checking the block's 8 words there they only record the block as
/// unsettled (one load and compare when it already is). The block is settled — its 8 words
/// checked, its bit corrected — when another block becomes unsettled, and before a contiguous
/// search reads the map. Single-frame work clusters in one block (allocation follows the hint; an
/// allocate+free pair in empty memory empties and refills the same full word), so the settling is
/// rare: in fragmented memory, where words are neither full nor empty, the single-frame path pays
/// one compare per allocation and nothing per free.
///
/// Range operations (contiguous allocation and free, `reserve`, the build) recompute the bits of
/// the blocks they touch directly.
extension FrameBitmap {
  /// The free-block map in this allocator's storage.
  var freeBlocks: FreeBlockTree { FreeBlockTree(header: header) }

  /// Frames per block, the 2 MiB page.
  static var blockFrames: UInt64 { PageSize.size2MiB.frameCount }

  /// The blocks the map covers, the last one possibly partial (and then never entirely free).
  var blockCount: Int {
    Int(truncatingIfNeeded: (frameCount + Self.blockFrames - 1) / Self.blockFrames)
  }

  /// The block whose bit may be stale, or nil.
  var unsettledBlock: Int? {
    let marker = header[BitmapLayout.HeaderSlot.unsettledBlock]
    return marker == 0 ? nil : Int(truncatingIfNeeded: marker &>> UInt64(BitmapLayout.blockShift))
  }

  /// Level-0 word `word` has just become all ones or stopped being so: its block's bit may be
  /// wrong now. Settles the block that was unsettled before, if it is another one.
  ///
  /// The header slot holds the block's last level-0 word index (`word | 7`, never 0), or 0 for
  /// none: one OR and one compare against memory on the hot path.
  @inlinable @inline(__always)
  func noteBlockUnsettled(word: Int) {
    let marker = UInt64(truncatingIfNeeded: word | (BitmapLayout.wordsPerBlock &- 1))
    let slot = header + BitmapLayout.HeaderSlot.unsettledBlock
    if _slowPath(slot.pointee != marker) { settleBlock(thenUnsettle: marker) }
  }

  /// Settles the unsettled block, if any, and makes the block of `marker` the unsettled one.
  /// Never inlined: the rare half of `noteBlockUnsettled`.
  @usableFromInline @inline(never)
  func settleBlock(thenUnsettle marker: UInt64) {
    var cost = ContiguousSearchCost()
    settleUnsettledBlock(cost: &cost)
    header[BitmapLayout.HeaderSlot.unsettledBlock] = marker
  }

  /// Makes the unsettled block's free-block bit exact again (before a search reads the map).
  func settleUnsettledBlock(cost: inout ContiguousSearchCost) {
    guard let block = unsettledBlock else { return }
    cost.wordsRead &+= BitmapLayout.wordsPerBlock
    if isWholeBlockFree(block) { freeBlocks.insert(block) } else { freeBlocks.remove(block) }
    header[BitmapLayout.HeaderSlot.unsettledBlock] = 0
  }

  /// Whether all 512 frames of block `block` are free. Reads its 8 level-0 words; the layout pads
  /// level 0 to whole blocks with zero words, so the last block needs no bounds test.
  func isWholeBlockFree(_ block: Int) -> Bool {
    let first = block &<< BitmapLayout.blockShift
    var all = BitmapWord.allOnes
    for offset in 0..<BitmapLayout.wordsPerBlock { all &= freeWords[first &+ offset] }
    return all == BitmapWord.allOnes
  }

  /// Recomputes the free-block bits of every block that level-0 words `changed` touch (range
  /// operations and the build). Only bits that change are written, and a change climbs the
  /// summaries only while it empties or fills a word: O(1) per block amortised.
  func refreshFreeBlocks(words changed: Range<Int>) {
    guard !changed.isEmpty else { return }
    let low = changed.lowerBound &>> BitmapLayout.blockShift
    let high = (changed.upperBound &- 1) &>> BitmapLayout.blockShift
    let map = freeBlocks
    for block in low...high {
      let whole = isWholeBlockFree(block)
      guard whole != map.contains(block) else { continue }
      if whole { map.insert(block) } else { map.remove(block) }
    }
  }

  /// Whether the free-block map says exactly which blocks are entirely free (all but the unsettled
  /// block), and its summaries match it. O(blocks): for tests and `isConsistent`.
  var freeBlocksAreExact: Bool {
    let blocks = blockCount
    let unsettled = unsettledBlock ?? -1
    for block in 0..<blocks
    where block != unsettled && freeBlocks.contains(block) != isWholeBlockFree(block) {
      return false
    }
    return freeBlocks.summariesAreExact(blockCount: blocks)
  }
}
