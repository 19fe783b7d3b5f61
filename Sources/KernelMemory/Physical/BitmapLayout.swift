/// Where the frame bitmap's parts live inside the caller's storage, in 64-bit words.
///
/// In order: a small header (the counters and this geometry, kept in storage so that copies of a
/// `FrameBitmap` handle all see one state), level 0 (one bit per frame, 1 = free) interleaved word
/// by word with the usable map (one bit per frame, 1 = the allocator manages it: what tells a
/// double free from freeing a reserved frame), and the summary levels 1…top, where bit i of level
/// k is set exactly when word i of level k-1 is nonzero. Levels are added until one fits in a
/// single word, so a search starts from one load and descends one word per level: 5 levels in all
/// at 1 TiB, 3 at 128 MiB.
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
  }
  /// Words in the header.
  static let headerWords = HeaderSlot.levelWords + levelCapacity

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
    // Level 0 and the usable map are interleaved word by word (see `InterleavedWords`).
    usableOffset = BitmapLayout.headerWords + 1
    var next = BitmapLayout.headerWords + 2 * baseWords
    var level = 0
    repeat {
      level += 1
      words[level] = max(1, BitmapWord.wordsNeeded(forBits: UInt64(words[level - 1])))
      offsets[level] = next
      next += words[level]
    } while words[level] > 1
    topLevel = level
    levelOffsets = offsets
    levelWords = words
    totalWords = next
  }

  /// Records the geometry in the header of the storage at `base`.
  func write(into base: UnsafeMutablePointer<UInt64>) {
    base[HeaderSlot.topLevel] = UInt64(topLevel)
    for level in 0...topLevel {
      base[HeaderSlot.levelOffsets + level] = UInt64(levelOffsets[level])
      base[HeaderSlot.levelWords + level] = UInt64(levelWords[level])
    }
  }
}
