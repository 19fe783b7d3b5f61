/// The summary tree: keeping it exact, and searching through it.
///
/// Invariant: bit i of level k (k ≥ 1) is set exactly when word i of level k-1 is nonzero, and
/// every bit past the end of a level is zero. Single-frame operations keep it by walking up only while a
/// word changes between zero and nonzero; range operations recompute the affected bits level by
/// level.
///
/// Reading the storage through unchecked pointers is safe here because every level index is in
/// `0...topLevel` (< `BitmapLayout.levelCapacity`, so its header slots exist) and
/// every word index is derived from a bit that the invariant says exists in a level of known size.
extension FrameBitmap: SummaryTree {
  /// Records that level-0 word `word` has just become empty: clears its level-1 bit, and walks
  /// further up only if that empties the level-1 word too (rare: 4096 frames all taken).
  @inlinable @inline(__always)
  func noteWordEmptied(_ word: Int) {
    let summary = summaryLevelOne
    let slot = word &>> BitmapWord.indexShift
    let updated = summary[slot] & ~(1 &<< (word & Int(BitmapWord.bitIndexMask)))
    summary[slot] = updated
    if updated == 0 { noteSummaryWordEmptied(slot, atLevel: 1) }
  }

  /// Records that level-0 word `word`, empty until now, has a free frame: sets its level-1 bit, and
  /// walks further up only if the level-1 word was empty.
  @inlinable @inline(__always)
  func noteWordRefilled(_ word: Int) {
    let summary = summaryLevelOne
    let slot = word &>> BitmapWord.indexShift
    let previous = summary[slot]
    summary[slot] = previous | (1 &<< (word & Int(BitmapWord.bitIndexMask)))
    if previous == 0 { noteSummaryWordRefilled(slot, atLevel: 1) }
  }

  /// Summary level 1, the only one the hot path touches in the common case.
  @usableFromInline var summaryLevelOne: UnsafeMutablePointer<UInt64> {
    @inlinable @inline(__always) get {
      header + Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.levelOffsets &+ 1])
    }
  }

  /// Word `index` of level `level` has just become empty: clear its bit in the levels above for as
  /// long as that empties the word holding it.
  @usableFromInline
  func noteSummaryWordEmptied(_ index: Int, atLevel level: Int) {
    var index = index
    var level = level
    while level < topLevel {
      level &+= 1
      let summary = words(atLevel: level)
      let slot = index &>> BitmapWord.indexShift
      let updated = summary[slot] & ~(1 &<< (index & Int(BitmapWord.bitIndexMask)))
      summary[slot] = updated
      // A summary word that still has a bit set keeps its own bit in the level above.
      if updated != 0 { return }
      index = slot
    }
  }

  /// Word `index` of level `level`, empty until now, is not: set its bit in the levels above for
  /// as long as the word holding it was empty.
  @usableFromInline
  func noteSummaryWordRefilled(_ index: Int, atLevel level: Int) {
    var index = index
    var level = level
    while level < topLevel {
      level &+= 1
      let summary = words(atLevel: level)
      let slot = index &>> BitmapWord.indexShift
      let previous = summary[slot]
      summary[slot] = previous | (1 &<< (index & Int(BitmapWord.bitIndexMask)))
      // A summary word that was already nonzero already has its bit in the level above.
      if previous != 0 { return }
      index = slot
    }
  }

  /// The level-0 word holding the lowest free frame. Requires a nonzero top word.
  @inline(__always)
  func descendToFreeWord() -> Int {
    var index = 0
    var level = topLevel
    while level > 0 {
      let word = words(atLevel: level)[index]
      assert(word != 0, "summary bit set above an empty word")
      index = index &<< BitmapWord.indexShift | word.trailingZeroBitCount
      level &-= 1
    }
    return index
  }

  /// Whether any frame is free, from the top summary word (one load).
  @inline(__always)
  var hasFreeFrame: Bool { words(atLevel: topLevel)[0] != 0 }

  /// Recomputes the summary bits above level-0 words `changed`, level by level.
  func refreshSummaries(words changed: Range<Int>) {
    guard !changed.isEmpty else { return }
    var low = changed.lowerBound
    var high = changed.upperBound - 1
    for index in low...high { setSummaryBit(index, atLevel: 1, to: freeWords[index] != 0) }
    var level = 1
    while level < topLevel {
      let below = words(atLevel: level)
      low = low &>> BitmapWord.indexShift
      high = high &>> BitmapWord.indexShift
      level &+= 1
      for index in low...high { setSummaryBit(index, atLevel: level, to: below[index] != 0) }
    }
  }

  /// Sets or clears bit `index` of summary level `level`.
  @inline(__always)
  private func setSummaryBit(_ index: Int, atLevel level: Int, to value: Bool) {
    let here = words(atLevel: level)
    let bit: UInt64 = 1 &<< (index & Int(BitmapWord.bitIndexMask))
    let slot = index &>> BitmapWord.indexShift
    if value { here[slot] |= bit } else { here[slot] &= ~bit }
  }

  /// Checks every invariant the allocator relies on, in O(size): summaries exact, free frames all
  /// managed, no bit past the end, counters equal to the bits, hint and full-word floor valid,
  /// free-block map exact.
  /// For tests and for a kernel self-check in debug builds.
  public var isConsistent: Bool {
    let baseWords = wordCount(ofLevel: 0)
    var free: UInt64 = 0
    for index in 0..<baseWords {
      guard freeWords[index] & ~usableWords[index] == 0 else { return false }
      free &+= UInt64(freeWords[index].nonzeroBitCount)
    }
    guard free == freeFrameCount,
      countBits(usableWords, words: baseWords) == usableFrameCount,
      countBits(usableWords, words: baseWords) == countBitsBelow(frameCount, usableWords),
      hintWord < baseWords, noFullWordBelowTheFloor
    else { return false }
    return summariesAreExact && freeBlocksAreExact
  }

  /// Whether every word below the full-word floor has an allocated or reserved frame.
  private var noFullWordBelowTheFloor: Bool {
    let floor = Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.fullWordFloor])
    guard floor <= baseWordCount else { return false }
    return (0..<floor).allSatisfy { freeWords[$0] != BitmapWord.allOnes }
  }

  /// Whether every summary bit matches the word below it, and bits past each level's end are zero.
  private var summariesAreExact: Bool {
    for level in 1...topLevel {
      let here = words(atLevel: level)
      let bits = wordCount(ofLevel: level - 1)
      for index in 0..<(wordCount(ofLevel: level) * BitmapWord.bitCount) {
        let expected = index < bits && word(atLevel: level - 1, index) != 0
        let actual = here[index >> 6] & (1 << UInt64(index & 63)) != 0
        guard expected == actual else { return false }
      }
    }
    return true
  }

  /// The set bits of `words` among the first `bits` bit positions.
  private func countBitsBelow(_ bits: UInt64, _ words: InterleavedWords) -> UInt64 {
    var total: UInt64 = 0
    for (word, mask) in BitmapRunWords(0..<bits) {
      total &+= UInt64((words[word] & mask).nonzeroBitCount)
    }
    return total
  }
}
