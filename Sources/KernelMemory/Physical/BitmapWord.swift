/// The arithmetic of 64-bit bitmap words: one bit per frame at level 0, one bit per word of the
/// level below at every summary level.
///
/// The constants are computed properties rather than stored ones so that the allocator's inlinable
/// hot path folds them into immediates in client modules, with no lazy-global access.
@usableFromInline enum BitmapWord {
  /// Bits in a word, which is also the fan-out of the summary tree.
  @inlinable static var bitCount: Int { 64 }
  /// log2(`bitCount`): shifting an index right by it gives its word.
  @inlinable static var indexShift: UInt64 { 6 }
  /// The bits of an index that select the bit inside its word.
  @inlinable static var bitIndexMask: UInt64 { 63 }
  /// Covers every level-0 word index: 2^40 frames (52-bit physical addresses) make 2^34 words.
  @inlinable static var wordIndexMask: Int { (1 << 34) - 1 }
  /// A word with every bit set.
  @inlinable static var allOnes: UInt64 { ~0 }

  /// The word holding bit `index`.
  @inlinable @inline(__always) static func word(of index: UInt64) -> Int {
    Int(truncatingIfNeeded: index &>> indexShift)
  }

  /// The single-bit mask of bit `index` inside its word.
  @inlinable @inline(__always) static func bit(of index: UInt64) -> UInt64 {
    1 &<< (index & bitIndexMask)
  }

  /// Words needed for `bits` bits.
  static func wordsNeeded(forBits bits: UInt64) -> Int {
    Int(truncatingIfNeeded: (bits + bitIndexMask) >> indexShift)
  }
}

/// The words a run of bit indices covers, each with the mask of the run's bits inside it.
///
/// Range operations (claim, free, reserve a run of frames) work a word at a time through this, so
/// a 2 MiB run costs 8 word operations, not 512 bit operations. Only the first and last words have
/// partial masks, computed once; every word between is all ones.
struct BitmapRunWords: Sequence, IteratorProtocol {
  /// The next word to yield.
  private var word: Int
  /// The first and last words of the run (`lastWord < firstWord` for an empty run).
  private let firstWord: Int
  private let lastWord: Int
  /// The run's bits in its first and last words.
  private let firstMask: UInt64
  private let lastMask: UInt64

  /// The words of bit indices `run`.
  init(_ run: Range<UInt64>) {
    guard !run.isEmpty else {
      (word, firstWord, lastWord, firstMask, lastMask) = (1, 1, 0, 0, 0)
      return
    }
    let last = run.upperBound - 1
    firstWord = BitmapWord.word(of: run.lowerBound)
    lastWord = BitmapWord.word(of: last)
    firstMask = BitmapWord.allOnes &<< (run.lowerBound & BitmapWord.bitIndexMask)
    lastMask = BitmapWord.allOnes &>> (BitmapWord.bitIndexMask &- (last & BitmapWord.bitIndexMask))
    word = firstWord
  }

  /// The next word index and the mask of the run's bits in it.
  mutating func next() -> (word: Int, mask: UInt64)? {
    guard word <= lastWord else { return nil }
    var mask = BitmapWord.allOnes
    if word == firstWord { mask &= firstMask }
    if word == lastWord { mask &= lastMask }
    defer { word &+= 1 }
    return (word, mask)
  }
}

/// One of the two level-0 bitmaps (free, usable), interleaved with the other: word i lives at
/// `base[2 * i]`, so word i of the free bitmap and word i of the usable map share a cache line.
///
/// Freeing a frame reads both words; interleaving makes that one cache miss instead of two when
/// frees land at random in a bitmap larger than the caches (1 TiB of RAM: 64 MiB of bitmap).
@usableFromInline struct InterleavedWords {
  /// Where word 0 is.
  @usableFromInline let base: UnsafeMutablePointer<UInt64>

  /// The bitmap whose word 0 is at `base` (the other bitmap's word 0 is at `base + 1`).
  @inlinable init(_ base: UnsafeMutablePointer<UInt64>) { self.base = base }

  /// Word `index`.
  @inlinable subscript(index: Int) -> UInt64 {
    @inline(__always) get { base[index &<< 1] }
    @inline(__always) nonmutating set { base[index &<< 1] = newValue }
  }
}
