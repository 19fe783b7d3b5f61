/// Allocating and freeing one frame: the hot path.
///
/// The hint is always a valid level-0 word index (0 at build time, afterwards only ever a word index
/// that was just read or derived from a frame number checked against `frameCount`), so reading
/// `freeWords[hintWord]` unchecked is safe. Counter arithmetic wraps (`&+`, `&-`) because the free
/// count is bounded by the usable count and changes only together with a bit: a wrap would need a
/// bit to flip twice, which the checks in `free` exclude.
extension FrameBitmap {
  /// One free frame, or nil when memory is exhausted. O(1) when the hint word still has a free
  /// frame, otherwise O(summary levels).
  ///
  /// The frame comes back with whatever contents its last user left; zeroing it before handing it
  /// to user space is the caller's job.
  public func allocate() -> PhysicalFrame? {
    let hint = hintWord
    let word = freeWords[hint]
    if word != 0 { return take(lowestBitOf: word, inWord: hint) }
    return allocateAfterHintMiss()
  }

  /// Returns one frame that `allocate` handed out.
  ///
  /// The checks run before anything is written, so a rejected call leaves the allocator untouched.
  /// The freed word becomes the hint: the next allocation reuses a cache-hot frame.
  public func free(_ frame: PhysicalFrame) throws(FrameAllocatorError) {
    guard frame.number < frameCount else { throw .outOfRange(frame) }
    let index = BitmapWord.word(of: frame.number)
    let bit = BitmapWord.bit(of: frame.number)
    guard usableWords[index] & bit != 0 else { throw .reservedFrame(frame) }
    let word = freeWords[index]
    guard word & bit == 0 else { throw .doubleFree(frame) }
    freeWords[index] = word | bit
    if word == 0 { noteWordRefilled(index) }
    freeFrameCountSlot.pointee &+= 1
    hintWord = index
  }

  /// The slow path: the hint word is empty, so find the lowest word with a free frame through the
  /// summary tree and make it the hint.
  private func allocateAfterHintMiss() -> PhysicalFrame? {
    guard hasFreeFrame else { return nil }
    let index = descendToFreeWord()
    hintWord = index
    return take(lowestBitOf: freeWords[index], inWord: index)
  }

  /// Marks the lowest set bit of `word` (level-0 word `index`, nonzero) allocated.
  @inline(__always)
  private func take(lowestBitOf word: UInt64, inWord index: Int) -> PhysicalFrame {
    let remaining = word & (word &- 1)
    freeWords[index] = remaining
    if remaining == 0 { noteWordEmptied(index) }
    freeFrameCountSlot.pointee &-= 1
    let number = UInt64(index) &<< BitmapWord.indexShift | UInt64(word.trailingZeroBitCount)
    return PhysicalFrame(number: number)
  }

  /// The allocation hint: a level-0 word index that recently had a free frame.
  var hintWord: Int {
    @inline(__always) get {
      Int(truncatingIfNeeded: header[BitmapLayout.HeaderSlot.hint.rawValue])
    }
    @inline(__always) nonmutating set {
      header[BitmapLayout.HeaderSlot.hint.rawValue] = UInt64(truncatingIfNeeded: newValue)
    }
  }

  /// The free counter's slot in the header.
  var freeFrameCountSlot: UnsafeMutablePointer<UInt64> {
    @inline(__always) get { header + BitmapLayout.HeaderSlot.freeCount.rawValue }
  }
}
