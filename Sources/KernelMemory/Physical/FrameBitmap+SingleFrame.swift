/// Allocating and freeing one frame: the hot path.
///
/// Both operations are `@inlinable` so that a client module (the kernel, the benchmark) compiles
/// them into its own loops; only the rare parts — a hint miss, a summary word changing between
/// empty and non-empty above level 1, an error — are out-of-line calls.
///
/// Why the unchecked accesses are safe: the hint is always a valid level-0 word index (0 at build
/// time, afterwards only ever a word index just read or derived from a frame number checked
/// against `frameCount`), and `free` checks the frame number before touching memory. The two
/// counters wrap (`&+`) by design: only their difference, the allocated count, is meaningful, and
/// it is always between 0 and the usable count because every increment goes with a bit flip that
/// the checks make sure happens once.
extension FrameBitmap {
  /// One free frame, or nil when memory is exhausted. O(1) when the hint word still has a free
  /// frame, otherwise O(summary levels).
  ///
  /// The frame comes back with whatever contents its last user left; zeroing it before handing it
  /// to user space is the caller's job.
  @inlinable @inline(__always)
  public func allocate() -> PhysicalFrame? {
    // Both masks change nothing (the hint is below 2^34, a nonzero word's lowest bit below 64) but
    // tell the optimiser so: an inlined `free` of the result then folds `number >> 6` back into
    // `index` and can load its word without waiting for `tzcnt`, which shortens the dependency
    // chain of an allocate+free pair by several cycles.
    var index = hintWord & BitmapWord.wordIndexMask
    var word = freeWords[index]
    if word == 0 {
      guard let found = moveHintToAWordWithFreeFrames() else { return nil }
      index = found & BitmapWord.wordIndexMask
      word = freeWords[index]
    }
    let remaining = word & (word &- 1)
    freeWords[index] = remaining
    if remaining == 0 { noteWordEmptied(index) }
    // The word's 2 MiB block is no longer entirely free, if it was (see `FreeBlockTree`).
    if word == BitmapWord.allOnes { noteBlockUnsettled(word: index) }
    header[BitmapLayout.HeaderSlot.allocations] &+= 1
    let bit = UInt64(truncatingIfNeeded: word.trailingZeroBitCount) & BitmapWord.bitIndexMask
    return PhysicalFrame(number: UInt64(truncatingIfNeeded: index) &<< BitmapWord.indexShift | bit)
  }

  /// Returns one frame that `allocate` handed out.
  ///
  /// The checks run before anything is written, so a rejected call leaves the allocator untouched.
  /// The freed word becomes the hint: the next allocation reuses a cache-hot frame.
  ///
  /// - Throws: `.outOfRange` beyond the bitmap, `.reservedFrame` for a frame the allocator does
  ///   not manage, `.doubleFree` for a frame that is already free.
  @inlinable @inline(__always)
  public func free(_ frame: PhysicalFrame) throws(FrameAllocatorError) {
    let number = frame.number
    guard number < frameCount else { throw freeingError(frame) }
    let index = BitmapWord.word(of: number)
    let bit = BitmapWord.bit(of: number)
    let word = freeWords[index]
    // One test for both "managed" and "not free yet"; the cold path works out which one failed.
    guard usableWords[index] & ~word & bit != 0 else { throw freeingError(frame) }
    let updated = word | bit
    freeWords[index] = updated
    if word == 0 { noteWordRefilled(index) }
    if _slowPath(updated == BitmapWord.allOnes) { noteWordFull(index) }
    header[BitmapLayout.HeaderSlot.releases] &+= 1
    // Storing only on change keeps the next allocation's hint load off the store-forwarding chain.
    if hintWord != index { hintWord = index }
  }

  /// The hint word is empty: makes the nearest word with a free frame the hint and returns it, or
  /// returns nil when no frame is free.
  ///
  /// First the hint's own level-1 summary word (the 64 neighbouring words, 4096 frames): one load,
  /// and in fragmented memory almost always a hit, so the cost does not grow with memory size.
  /// Only when that group is full does the search descend from the top of the tree.
  @usableFromInline
  func moveHintToAWordWithFreeFrames() -> Int? {
    let hint = hintWord
    let neighbours = summaryLevelOne[hint &>> BitmapWord.indexShift]
    let found: Int
    if neighbours != 0 {
      found = (hint & ~Int(BitmapWord.bitIndexMask)) | neighbours.trailingZeroBitCount
    } else {
      guard hasFreeFrame else { return nil }
      found = descendToFreeWord()
    }
    hintWord = found
    return found
  }

  /// Records that level-0 word `index` has just become entirely free: lowers the floor where
  /// contiguous searches start if it lies below it, and notes that its 2 MiB block may now be
  /// entirely free.
  @inlinable @inline(__always)
  func noteWordFull(_ index: Int) {
    lowerFullWordFloor(to: index)
    noteBlockUnsettled(word: index)
  }

  /// Lowers the full-word floor to level-0 word `index` (entirely free) if it lies below it.
  @inlinable @inline(__always)
  func lowerFullWordFloor(to index: Int) {
    let floor = header + BitmapLayout.HeaderSlot.fullWordFloor
    if UInt64(truncatingIfNeeded: index) < floor.pointee {
      floor.pointee = UInt64(truncatingIfNeeded: index)
    }
  }

  /// Why `free(frame)` was refused (the cold half of `free`).
  @usableFromInline @inline(never)
  func freeingError(_ frame: PhysicalFrame) -> FrameAllocatorError {
    guard frame.number < frameCount else { return .outOfRange(frame) }
    guard isUsable(frame) else { return .reservedFrame(frame) }
    return .doubleFree(frame)
  }

  /// The allocation hint: a level-0 word index that recently had a free frame.
  @usableFromInline var hintWord: Int {
    @inlinable @inline(__always) get {
      Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.hint])
    }
    @inlinable @inline(__always) nonmutating set {
      header[BitmapLayout.HeaderSlot.hint] = UInt64(truncatingIfNeeded: newValue)
    }
  }

  /// Counts `frames` frames as handed out.
  func countAllocated(_ frames: UInt64) {
    header[BitmapLayout.HeaderSlot.allocations] &+= frames
  }

  /// Counts `frames` frames as returned.
  func countReleased(_ frames: UInt64) {
    header[BitmapLayout.HeaderSlot.releases] &+= frames
  }
}
