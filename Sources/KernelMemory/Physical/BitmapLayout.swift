/// Where the frame bitmap's parts live inside the caller's storage, in 64-bit words.
///
/// In order: a small header (the counters and this geometry, kept in storage so that copies of a
/// `FrameBitmap` handle all see one state), level 0 (one bit per frame, 1 = free) interleaved word
/// by word with the usable map (one bit per frame, 1 = the allocator manages it: what tells a
/// double free from freeing a reserved frame), and the summary levels 1…top, where bit i of level
/// k is set exactly when word i of level k-1 is nonzero. Levels are added until one fits in a
/// single word, so a search starts from one load and descends one word per level: 5 levels in all
/// at 1 TiB, 3 at 128 MiB.
///
/// Level 0 is padded with zero words to a whole number of 2 MiB blocks (8 words), so that the
/// check "is this block entirely free" reads 8 words without a bounds test; a partial last block
/// is never entirely free, since its padding and its bits past the last frame are zero. Last come
/// the free-block map and its summaries (`FreeBlockTree`): one bit per 2 MiB block, set exactly
/// when all 512 of its frames are free, in a tree of the same shape. It costs 1 bit per 512
/// frames, about 0.00025 bytes per frame (65 KiB at 1 TiB, beside the bitmap's 64 MiB).
@usableFromInline struct BitmapLayout {
  /// Room for level 0 and its summaries. 2^40 frames (the 52-bit physical limit) need 6 summary
  /// levels; one spare keeps the bound obviously safe.
  static let levelCapacity = 8
  /// One value per level; the count must be a literal, and equals `levelCapacity`.
  typealias PerLevel<Element> = InlineArray<8, Element>
  /// The largest frame count a bitmap can cover: every frame of a 52-bit physical address space.
  static let maximumFrameCount: UInt64 = PhysicalRange.addressLimit >> PageSize.size4KiB.shift

  /// The header's slots. The geometry is stored here too, not in the `FrameBitmap` handle, so the
  /// handle stays four words that travel in registers and the hot path needs no stack frame.
  /// The slots the inlinable hot path uses are computed properties, folded into immediates.
  @usableFromInline enum HeaderSlot {
    /// Frames handed out since the build, wrapping. Allocation and release count into separate
    /// words so that an allocate+free pair does not chain two read-modify-writes of one word
    /// through store forwarding; the free count is derived from the difference.
    @inlinable static var allocations: Int { 0 }
    /// Frames returned since the build, wrapping.
    @inlinable static var releases: Int { 1 }
    /// A level-0 word index that recently had free frames: the allocation fast path.
    @inlinable static var hint: Int { 2 }
    /// Frames the allocator manages (usable and not reserved).
    static var usableCount: Int { 3 }
    /// The index of the top summary level.
    static var topLevel: Int { 4 }
    /// A level-0 word index below which no word is entirely free (all 64 frames): where a search
    /// for 64 or more contiguous frames may start.
    @inlinable static var fullWordFloor: Int { 5 }
    /// `levelCapacity` slots: the word offset of each level from the start of the storage.
    @inlinable static var levelOffsets: Int { 6 }
    /// `levelCapacity` slots: the number of words in each level.
    static var levelWords: Int { levelOffsets + levelCapacity }
    /// The 2 MiB block whose free-block bit may be wrong, as its last level-0 word, or 0 for none
    /// (`FrameBitmap.noteBlockUnsettled`). A literal, `levelWords + levelCapacity`, for the
    /// inlinable hot path. Deliberately not in the first cache line with the counters: loaded
    /// there right after their read-modify-writes, it made an allocate+free pair in empty memory
    /// 4 ns slower on the benchmark machine (AMD EPYC), though it is never stored in that loop.
    @inlinable static var unsettledBlock: Int { 22 }
    /// The index of the free-block tree's top level.
    static var blockTopLevel: Int { unsettledBlock + 1 }
    /// `levelCapacity` slots: the word offset of each level of the free-block tree.
    static var blockLevelOffsets: Int { blockTopLevel + 1 }
    /// `levelCapacity` slots: the number of words in each level of the free-block tree.
    static var blockLevelWords: Int { blockLevelOffsets + levelCapacity }
  }
  /// Words in the header.
  static let headerWords = HeaderSlot.blockLevelWords + levelCapacity
  /// Level-0 words per 2 MiB block: 512 frames, 64 per word.
  @inlinable static var wordsPerBlock: Int { 8 }
  /// log2(`wordsPerBlock`): a level-0 word index shifted right by it is its block.
  @inlinable static var blockShift: Int { 3 }

  /// Frames covered.
  let frameCount: UInt64
  /// The index of the top summary level (at least 1); it is a single word.
  let topLevel: Int
  /// The word offset of each level (0 = the free bitmap's first word, 1…`topLevel` = summaries).
  let levelOffsets: PerLevel<Int>
  /// The number of words in each level.
  let levelWords: PerLevel<Int>
  /// The word offset of the usable map.
  let usableOffset: Int
  /// The 2 MiB blocks the free-block map covers: every block with at least one frame.
  let blockCount: Int
  /// The geometry of the free-block tree, as for the frame levels.
  let blockTopLevel: Int
  let blockLevelOffsets: PerLevel<Int>
  let blockLevelWords: PerLevel<Int>
  /// Words of storage the whole structure needs.
  let totalWords: Int

  /// The layout for `frameCount` frames (at most `maximumFrameCount`).
  init(frameCount: UInt64) {
    precondition(frameCount <= BitmapLayout.maximumFrameCount, "more frames than physical memory")
    self.frameCount = frameCount
    // At least one word per level, so even an empty bitmap has a readable top word.
    let baseWords = max(1, BitmapWord.wordsNeeded(forBits: frameCount))
    var offsets = PerLevel<Int>(repeating: 0)
    var words = PerLevel<Int>(repeating: 0)
    offsets[0] = BitmapLayout.headerWords
    words[0] = baseWords
    // Level 0 and the usable map are interleaved word by word (see `InterleavedWords`), padded
    // to whole blocks.
    usableOffset = BitmapLayout.headerWords + 1
    let blocks = (baseWords + BitmapLayout.wordsPerBlock - 1) >> BitmapLayout.blockShift
    var next = BitmapLayout.headerWords + 2 * (blocks << BitmapLayout.blockShift)
    (topLevel, next) = BitmapLayout.addSummaries(above: &words, at: &offsets, from: next)
    levelOffsets = offsets
    levelWords = words
    blockCount = blocks
    var blockOffsets = PerLevel<Int>(repeating: 0)
    var blockWords = PerLevel<Int>(repeating: 0)
    blockOffsets[0] = next
    blockWords[0] = max(1, BitmapWord.wordsNeeded(forBits: UInt64(blocks)))
    next += blockWords[0]
    (blockTopLevel, next) = BitmapLayout.addSummaries(
      above: &blockWords, at: &blockOffsets, from: next)
    blockLevelOffsets = blockOffsets
    blockLevelWords = blockWords
    totalWords = next
  }

  /// Lays out summary levels above `words[0]` from word offset `next` until one level is a
  /// single word (at least one level); returns the top level and the offset after it.
  private static func addSummaries(
    above words: inout PerLevel<Int>, at offsets: inout PerLevel<Int>, from next: Int
  ) -> (topLevel: Int, next: Int) {
    var next = next
    var level = 0
    repeat {
      level += 1
      words[level] = max(1, BitmapWord.wordsNeeded(forBits: UInt64(words[level - 1])))
      offsets[level] = next
      next += words[level]
    } while words[level] > 1
    return (level, next)
  }

  /// Records the geometry in the header of the storage at `base`.
  func write(into base: UnsafeMutablePointer<UInt64>) {
    base[HeaderSlot.topLevel] = UInt64(topLevel)
    for level in 0...topLevel {
      base[HeaderSlot.levelOffsets + level] = UInt64(levelOffsets[level])
      base[HeaderSlot.levelWords + level] = UInt64(levelWords[level])
    }
    base[HeaderSlot.blockTopLevel] = UInt64(blockTopLevel)
    for level in 0...blockTopLevel {
      base[HeaderSlot.blockLevelOffsets + level] = UInt64(blockLevelOffsets[level])
      base[HeaderSlot.blockLevelWords + level] = UInt64(blockLevelWords[level])
    }
  }
}
