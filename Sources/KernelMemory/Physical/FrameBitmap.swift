/// The physical frame allocator: one bit per 4 KiB frame (1 = free), plus a 64-ary summary tree.
///
/// Bit i of summary level 1 says "word i of the bitmap has a free frame"; each higher level
/// summarises the one below the same way, up to a single top word. Allocating one frame therefore
/// never scans: it tries the hint word (the last word that had a free frame, an O(1) fast path),
/// then the hint's 63 neighbours through one level-1 word, and only then descends from the top
/// word, one load and one `trailingZeroBitCount` per level — about the same cost at 128 MiB and at
/// 1 TiB, empty or 99% full. A second bitmap, interleaved word by word with the first, records
/// which frames are managed at all, so freeing a reserved frame, a free frame or a frame beyond
/// memory is reported as a `FrameAllocatorError` instead of corrupting the accounting. A third
/// structure, the free-block map (`FreeBlockTree`: one bit per 2 MiB block, with its own summary
/// tree), names the blocks whose 512 frames are all free, so that a 2 MiB request costs a few
/// loads whether it succeeds or fails.
///
/// The kernel has no heap when it builds the allocator, so all of it lives in caller-provided
/// storage (`requiredStorageWords(frameCount:)`, usually found with
/// `MemoryMap.findFreeFrames(count:avoiding:)` and then reserved). `FrameBitmap` itself is only a
/// handle: every piece of state, counters and hint included, lives in that storage, so copies of
/// the handle share one allocator just as copies of a pointer share one object. It does no locking;
/// the kernel serialises calls.
///
/// At boot, before any heap exists:
///
///     let map = MemoryMap(firmwareEntries)
///     let frames = FrameBitmap.requiredStorageFrames(frameCount: map.frameLimit)
///     let place = map.findFreeFrames(count: frames, avoiding: kernelReservations)!
///     let storage = UnsafeMutableBufferPointer(
///       start: directMapPointer(to: place),
///       count: FrameBitmap.requiredStorageWords(frameCount: map.frameLimit))
///     let bitmap = try FrameBitmap(
///       memoryMap: map, reserving: kernelReservations + [PhysicalRange(first: place, count: frames)],
///       storage: storage)
public struct FrameBitmap {
  /// The start of the storage: the header with the counters and the geometry (see
  /// `BitmapLayout.HeaderSlot`).
  @usableFromInline let header: UnsafeMutablePointer<UInt64>
  /// Level 0: one bit per frame, 1 = free.
  @usableFromInline let freeWords: InterleavedWords
  /// One bit per frame, 1 = the allocator manages the frame (free or allocated).
  @usableFromInline let usableWords: InterleavedWords
  /// The frames covered: `0 ..< frameCount`.
  public let frameCount: UInt64

  /// The number of 64-bit words of storage a bitmap covering `frameCount` frames needs.
  public static func requiredStorageWords(frameCount: UInt64) -> Int {
    BitmapLayout(frameCount: frameCount).totalWords
  }

  /// The same size in bytes.
  public static func requiredStorageBytes(frameCount: UInt64) -> Int {
    requiredStorageWords(frameCount: frameCount) * MemoryLayout<UInt64>.stride
  }

  /// The same size in whole 4 KiB frames: what the kernel carves out of usable RAM.
  public static func requiredStorageFrames(frameCount: UInt64) -> UInt64 {
    let bytes = UInt64(requiredStorageBytes(frameCount: frameCount))
    return (bytes + PageSize.size4KiB.offsetMask) >> PageSize.size4KiB.shift
  }

  /// Builds the allocator for `memoryMap`, withholding every frame that `reserved` touches (the
  /// kernel image, boot data, modules, the low 1 MiB, MMIO holes, this bitmap's own storage).
  ///
  /// The bitmap covers frames `0 ..< memoryMap.frameLimit`. Its contents are rebuilt from scratch:
  /// `storage` need not be zeroed. Costs one pass over the storage and one over the entries.
  public init<Entries>(
    memoryMap: MemoryMap<Entries>, reserving reserved: some Collection<PhysicalRange>,
    storage: UnsafeMutableBufferPointer<UInt64>
  ) throws(FrameAllocatorError) {
    let frameCount = memoryMap.frameLimit
    guard frameCount > 0 else { throw .noUsableMemory }
    let layout = BitmapLayout(frameCount: frameCount)
    guard let base = storage.baseAddress, storage.count >= layout.totalWords else {
      throw .storageTooSmall(requiredWords: layout.totalWords)
    }
    base.update(repeating: 0, count: layout.totalWords)
    layout.write(into: base)
    self.init(base: base, layout: layout)
    markUsable(memoryMap, reserved)
    for index in 0..<baseWordCount { freeWords[index] = usableWords[index] }
    let usable = countBits(usableWords, words: baseWordCount)
    header[BitmapLayout.HeaderSlot.usableCount] = usable
    refreshSummaries(words: 0..<baseWordCount)
    refreshFreeBlocks(words: 0..<baseWordCount)
  }

  /// Points the handle's parts into `base` according to `layout`.
  private init(base: UnsafeMutablePointer<UInt64>, layout: BitmapLayout) {
    header = base
    freeWords = InterleavedWords(base + layout.levelOffsets[0])
    usableWords = InterleavedWords(base + layout.usableOffset)
    frameCount = layout.frameCount
  }

  /// Sets the usable bit of whole frames inside usable entries, then clears every frame touched
  /// by another kind of entry or by a reservation — in that order, so non-usable always wins.
  private func markUsable<Entries>(
    _ memoryMap: MemoryMap<Entries>, _ reserved: some Collection<PhysicalRange>
  ) {
    for entry in memoryMap.entries where entry.kind.isUsable {
      setBits(usableWords, clipped(entry.range.framesInside))
    }
    for entry in memoryMap.entries where !entry.kind.isUsable {
      clearBits(usableWords, clipped(entry.range.framesTouched))
    }
    for range in reserved { clearBits(usableWords, clipped(range.framesTouched)) }
  }

  /// Frames free right now (O(1)).
  public var freeFrameCount: UInt64 { usableFrameCount &- allocatedFrameCount }

  /// Frames handed out and not yet returned (O(1)).
  public var allocatedFrameCount: UInt64 {
    header[BitmapLayout.HeaderSlot.allocations] &- header[BitmapLayout.HeaderSlot.releases]
  }

  /// Frames the allocator manages, free or allocated (O(1)).
  public var usableFrameCount: UInt64 { header[BitmapLayout.HeaderSlot.usableCount] }

  /// The index of the top summary level, a single word.
  var topLevel: Int {
    @inline(__always) get { Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.topLevel]) }
  }

  /// The words of summary level `level` (1…`topLevel`); level 0 is `freeWords`, which is strided.
  @inline(__always)
  func words(atLevel level: Int) -> UnsafeMutablePointer<UInt64> {
    header + Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.levelOffsets &+ level])
  }

  /// Word `index` of level `level`, 0 (the free bitmap) included.
  func word(atLevel level: Int, _ index: Int) -> UInt64 {
    level == 0 ? freeWords[index] : words(atLevel: level)[index]
  }

  /// How many words level `level` has.
  @inline(__always)
  func wordCount(ofLevel level: Int) -> Int {
    Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.levelWords &+ level])
  }

  /// How many words the free bitmap (and the usable map) has.
  var baseWordCount: Int { wordCount(ofLevel: 0) }

  /// Whether `frame` is free now; false for reserved frames and frames beyond memory.
  public func isFree(_ frame: PhysicalFrame) -> Bool {
    frame.number < frameCount
      && freeWords[BitmapWord.word(of: frame.number)] & BitmapWord.bit(of: frame.number) != 0
  }

  /// Whether the allocator manages `frame` (it is neither reserved nor beyond memory).
  public func isUsable(_ frame: PhysicalFrame) -> Bool {
    frame.number < frameCount
      && usableWords[BitmapWord.word(of: frame.number)] & BitmapWord.bit(of: frame.number) != 0
  }

  /// `frames` cut to the frames the bitmap covers.
  func clipped(_ frames: Range<UInt64>) -> Range<UInt64> {
    let lower = min(frames.lowerBound, frameCount)
    return lower..<max(lower, min(frames.upperBound, frameCount))
  }

  /// Sets every bit of `run` in `words`.
  func setBits(_ words: InterleavedWords, _ run: Range<UInt64>) {
    for (word, mask) in BitmapRunWords(run) { words[word] |= mask }
  }

  /// Clears every bit of `run` in `words`.
  func clearBits(_ words: InterleavedWords, _ run: Range<UInt64>) {
    for (word, mask) in BitmapRunWords(run) { words[word] &= ~mask }
  }

  /// The number of set bits in the first `count` words of `words`.
  func countBits(_ words: InterleavedWords, words count: Int) -> UInt64 {
    var total: UInt64 = 0
    for index in 0..<count { total &+= UInt64(words[index].nonzeroBitCount) }
    return total
  }
}
