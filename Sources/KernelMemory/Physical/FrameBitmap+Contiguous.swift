/// Runs of frames: contiguous allocation (2 MiB pages, DMA buffers), freeing a run, and reserving
/// a range after the allocator is built.
///
/// Runs are claimed and released a word at a time. Every check runs before any write, so a rejected
/// request leaves the allocator exactly as it was.
extension FrameBitmap {
  /// The first of `count` consecutive free frames whose first frame number is a multiple of
  /// `alignment` and which all end at or below `limit`; they are now allocated.
  ///
  /// The search is first-fit from frame 0 (or the first free frame): it jumps through the summary
  /// tree to the next free frame, aligns up, and on finding an allocated frame inside the candidate
  /// restarts after it, so it never re-reads a word it has rejected. It is linear in the words it
  /// must inspect, not constant: use it for 2 MiB pages and DMA buffers, not single frames. A 2 MiB
  /// request that cannot succeed in fragmented memory visits every aligned block once (about 9 ms
  /// at 1 TiB half full on the benchmark machine), so callers with a fallback should not retry it
  /// in a loop.
  ///
  /// - Parameters:
  ///   - count: frames wanted (at least 1).
  ///   - alignment: a power of two, in frames (512 for a 2 MiB page).
  ///   - limit: every frame must lie wholly below this address (4 GiB for 32-bit DMA); nil for
  ///     no limit.
  /// - Throws: `.invalidRequest` for a zero count or a bad alignment, `.outOfMemory` when no
  ///   such run exists.
  public func allocateContiguous(
    count: UInt64, alignment: UInt64 = 1, below limit: PhysicalAddress? = nil
  ) throws(FrameAllocatorError) -> PhysicalFrame {
    guard count > 0, alignment > 0, alignment.nonzeroBitCount == 1 else {
      throw .invalidRequest
    }
    let end = Swift.min(frameCount, limit.map { $0.value >> PageSize.size4KiB.shift } ?? frameCount)
    guard let first = findFreeRun(count: count, alignment: alignment, end: end) else {
      throw .outOfMemory
    }
    claim(first..<(first + count))
    return PhysicalFrame(number: first)
  }

  /// A naturally aligned page of `size` (512 frames aligned to 512 for 2 MiB), now allocated.
  public func allocate(
    _ size: PageSize, below limit: PhysicalAddress? = nil
  ) throws(FrameAllocatorError) -> PhysicalFrame {
    try allocateContiguous(count: size.frameCount, alignment: size.frameCount, below: limit)
  }

  /// Returns `count` consecutive allocated frames starting at `first` (any mix of single and
  /// contiguous allocations).
  ///
  /// - Throws: the error for the lowest offending frame — `.outOfRange`, `.reservedFrame`, or
  ///   `.doubleFree` — and frees nothing; `.invalidRequest` for a zero count.
  public func free(_ first: PhysicalFrame, count: UInt64) throws(FrameAllocatorError) {
    guard count > 0 else { throw .invalidRequest }
    guard first.number < frameCount, count <= frameCount - first.number else {
      throw .outOfRange(PhysicalFrame(number: Swift.max(first.number, frameCount)))
    }
    let run = first.number..<(first.number + count)
    if let error = firstFreeingError(in: run) { throw error }
    setBits(freeWords, run)
    countReleased(count)
    refreshSummaries(words: wordSpan(of: run))
    noteFullWords(in: run)
  }

  /// The error for the lowest frame of `run` (inside the bitmap) that cannot be freed, or nil.
  func firstFreeingError(in run: Range<UInt64>) -> FrameAllocatorError? {
    for (word, mask) in BitmapRunWords(run) {
      let unmanaged = mask & ~usableWords[word]
      let alreadyFree = mask & freeWords[word]
      let offending = unmanaged | alreadyFree
      guard offending != 0 else { continue }
      let lowest = offending & (0 &- offending)
      let victim = frame(inWord: word, lowestBitOf: lowest)
      return unmanaged & lowest != 0 ? .reservedFrame(victim) : .doubleFree(victim)
    }
    return nil
  }

  /// Returns a naturally aligned page of `size` that `allocate(_:below:)` handed out.
  public func free(_ first: PhysicalFrame, size: PageSize) throws(FrameAllocatorError) {
    try free(first, count: size.frameCount)
  }

  /// Withdraws every free frame that `range` touches from the allocator, for memory found to be
  /// off-limits after the allocator was built (ACPI tables, a late MMIO window). Frames already
  /// reserved, and frames beyond memory, are left as they are.
  ///
  /// - Throws: `.frameInUse` with the lowest allocated frame in the range; nothing is reserved.
  public func reserve(_ range: PhysicalRange) throws(FrameAllocatorError) {
    let run = clipped(range.framesTouched)
    var withdrawn: UInt64 = 0
    for (word, mask) in BitmapRunWords(run) {
      let allocated = mask & usableWords[word] & ~freeWords[word]
      if allocated != 0 { throw .frameInUse(frame(inWord: word, lowestBitOf: allocated)) }
      withdrawn &+= UInt64((mask & usableWords[word]).nonzeroBitCount)
    }
    clearBits(freeWords, run)
    clearBits(usableWords, run)
    header[BitmapLayout.HeaderSlot.usableCount] &-= withdrawn
    refreshSummaries(words: wordSpan(of: run))
  }

  /// The first frame of a free run as `allocateContiguous` describes, below frame `end`, or nil.
  func findFreeRun(count: UInt64, alignment: UInt64, end: UInt64) -> UInt64? {
    let alignmentMask = alignment &- 1
    var candidate = searchStart(count: count, alignment: alignment)
    while let free = nextFreeFrame(from: candidate) {
      // An absurd alignment from the caller (up to 2^63) could overflow the rounding: check it.
      let (rounded, overflow) = free.addingReportingOverflow(alignmentMask)
      guard !overflow else { return nil }
      let start = rounded & ~alignmentMask
      guard start < end, count <= end - start else { return nil }
      guard let blocked = firstAllocatedFrame(in: start..<(start + count)) else { return start }
      candidate = blocked + 1
    }
    return nil
  }

  /// Where a first-fit search for `count` frames at `alignment` may start without missing a fit.
  ///
  /// A run of 128 or more frames, or of 64 or more starting on a word boundary, contains a whole
  /// free word, so it cannot start more than 63 frames before the first such word. Skipping to
  /// there turns repeated 2 MiB requests in memory fragmented at low addresses — or a failing
  /// request — from a scan of the whole bitmap each time into one scan, amortised.
  func searchStart(count: UInt64, alignment: UInt64) -> UInt64 {
    let wordBits = UInt64(BitmapWord.bitCount)
    let containsWholeWord = count >= 2 * wordBits || (count >= wordBits && alignment >= wordBits)
    guard containsWholeWord else { return 0 }
    let firstFull = UInt64(raiseFullWordFloor()) << BitmapWord.indexShift
    return firstFull > BitmapWord.bitIndexMask ? firstFull - BitmapWord.bitIndexMask : 0
  }

  /// Moves the full-word floor up to the first entirely free word at or above it (or to the end)
  /// and returns it. Linear in the words skipped; they are not skipped again until a free makes
  /// one of them whole.
  func raiseFullWordFloor() -> Int {
    let slot = header + BitmapLayout.HeaderSlot.fullWordFloor
    var index = Int(truncatingIfNeeded: slot.pointee)
    while index < baseWordCount, freeWords[index] != BitmapWord.allOnes { index += 1 }
    slot.pointee = UInt64(index)
    return index
  }

  /// Lowers the full-word floor for any word of `run` that is now entirely free.
  func noteFullWords(in run: Range<UInt64>) {
    for (word, _) in BitmapRunWords(run) where freeWords[word] == BitmapWord.allOnes {
      noteWordFull(word)
      return
    }
  }

  /// The lowest frame in `run` that is not free, or nil when the whole run is free.
  func firstAllocatedFrame(in run: Range<UInt64>) -> UInt64? {
    for (word, mask) in BitmapRunWords(run) {
      let taken = mask & ~freeWords[word]
      if taken != 0 { return frame(inWord: word, lowestBitOf: taken).number }
    }
    return nil
  }

  /// Marks every frame of `run` (all free) allocated.
  func claim(_ run: Range<UInt64>) {
    clearBits(freeWords, run)
    countAllocated(run.upperBound - run.lowerBound)
    refreshSummaries(words: wordSpan(of: run))
  }

  /// The frame of the lowest set bit of `bits`, a nonzero mask of level-0 word `word`.
  func frame(inWord word: Int, lowestBitOf bits: UInt64) -> PhysicalFrame {
    PhysicalFrame(number: UInt64(word) << BitmapWord.indexShift | UInt64(bits.trailingZeroBitCount))
  }

  /// The level-0 words a non-empty run of frames touches.
  func wordSpan(of run: Range<UInt64>) -> Range<Int> {
    guard !run.isEmpty else { return 0..<0 }
    return BitmapWord.word(of: run.lowerBound)..<(BitmapWord.word(of: run.upperBound - 1) + 1)
  }
}
