/// A bitmap with a 64-ary summary tree over it: bit i of level k (k ≥ 1) is set exactly when
/// word i of level k-1 is nonzero, and every bit past the end of a level is zero.
///
/// The frame bitmap (level 0: one bit per free frame) and the free-block map (level 0: one bit
/// per entirely free 2 MiB block) are both one; this is their one search, specialised for each
/// (no existential).
protocol SummaryTree {
  /// The index of the top level, a single word.
  var topLevel: Int { get }
  /// How many words level `level` has.
  func wordCount(ofLevel level: Int) -> Int
  /// Word `index` of level `level`.
  func word(atLevel level: Int, _ index: Int) -> UInt64
}

extension SummaryTree {
  /// The lowest set level-0 bit at or after `start`, or nil: climbs until a level has a set bit
  /// at or after the position, then descends to the leftmost bit under it — O(levels), however
  /// many empty words it skips. Counts the words it reads into `cost`.
  func nextSetBit(from start: UInt64, cost: inout ContiguousSearchCost) -> UInt64? {
    var level = 0
    var position = start
    while true {
      let word = BitmapWord.word(of: position)
      guard word < wordCount(ofLevel: level) else { return nil }
      cost.wordsRead &+= 1
      let masked =
        self.word(atLevel: level, word)
        & (BitmapWord.allOnes &<< (position & BitmapWord.bitIndexMask))
      if masked != 0 {
        position = UInt64(word &<< BitmapWord.indexShift | masked.trailingZeroBitCount)
        break
      }
      guard level < topLevel else { return nil }
      position = UInt64(word &+ 1)
      level &+= 1
    }
    while level > 0 {
      level &-= 1
      cost.wordsRead &+= 1
      let word = self.word(atLevel: level, Int(truncatingIfNeeded: position))
      position = position &<< BitmapWord.indexShift | UInt64(word.trailingZeroBitCount)
    }
    return position
  }
}
