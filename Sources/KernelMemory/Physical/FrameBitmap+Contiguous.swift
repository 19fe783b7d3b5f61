/// Runs of frames: contiguous allocation (2 MiB pages, DMA buffers), freeing a run, and reserving
/// a range after the allocator is built.
///
/// Runs are claimed and released a word at a time. Every check runs before any write, so a rejected
/// request leaves the allocator exactly as it was.
extension FrameBitmap {
  /// The first of `count` consecutive free frames whose first frame number is a multiple of
  /// `alignment` and which all end at or below `limit`; they are now allocated.
  ///
  /// The search is first-fit. What it costs depends on the shape of the request:
  /// - **At least 512 frames aligned to at least 512** (2 MiB pages, 1 GiB pages): the run is whole
  ///   2 MiB blocks plus a tail, and the free-block map (`FreeBlockTree`) names the entirely free
  ///   blocks. A 2 MiB page costs O(summary levels) whether it succeeds or fails — about 10 words
  ///   at 1 TiB, empty, fragmented or full. Longer runs check the map's bits for their
  ///   `count / 512` blocks at each aligned candidate that starts with a free block: a failing
  ///   1 GiB search reads at most 8 map words and one climb of the tree per 1 GiB of RAM that
  ///   has a free block (1024 candidates at 1 TiB), never the frame bitmap.
  /// - **At least 1023 frames, any alignment**: the run must contain an entirely free block, so
  ///   the search jumps from free block to free block; with none it fails in O(levels). Otherwise
  ///   it is linear in the words around the free blocks it tries.
  /// - **Shorter runs** (DMA buffers, 64 KiB): a search through the frame summary tree that skips
  ///   words without a free frame but is linear in the words it must inspect; runs of 64 or more
  ///   frames start at the first entirely free word (`fullWordFloor`), so a failing one reads the
  ///   whole bitmap once and later ones start where it stopped, until a free fills a lower word.
  ///   Callers with a fallback should not retry them in a loop.
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
    var cost = ContiguousSearchCost()
    guard let first = findFreeRun(count: count, alignment: alignment, end: end, cost: &cost) else {
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
    refreshFreeBlocks(words: wordSpan(of: run))
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
    refreshFreeBlocks(words: wordSpan(of: run))
  }

  /// The first frame of a free run as `allocateContiguous` describes, below frame `end`, or nil.
  /// Counts the words it reads into `cost`.
  func findFreeRun(
    count: UInt64, alignment: UInt64, end: UInt64, cost: inout ContiguousSearchCost
  ) -> UInt64? {
    let block = Self.blockFrames
    // A run this long contains a whole block, whatever its alignment: the free-block map then
    // gives a better start than the full-word floor, without the floor's linear raise.
    let containsWholeBlock = count >= 2 * block - 1
    if containsWholeBlock || (count >= block && alignment >= block) {
      settleUnsettledBlock(cost: &cost)
    }
    if count >= block && alignment >= block {
      return findBlockAlignedRun(count: count, alignment: alignment, end: end, cost: &cost)
    }
    let alignmentMask = alignment &- 1
    var candidate: UInt64 =
      containsWholeBlock ? 0 : searchStart(count: count, alignment: alignment, cost: &cost)
    while true {
      if containsWholeBlock {
        guard let raised = earliestStart(around: candidate, cost: &cost) else { return nil }
        candidate = raised
      }
      guard let free = nextSetBit(from: candidate, cost: &cost) else { return nil }
      // An absurd alignment from the caller (up to 2^63) could overflow the rounding: check it.
      let (rounded, overflow) = free.addingReportingOverflow(alignmentMask)
      guard !overflow else { return nil }
      let start = rounded & ~alignmentMask
      guard start < end, count <= end - start else { return nil }
      guard let blocked = firstAllocatedFrame(in: start..<(start + count), cost: &cost) else {
        return start
      }
      candidate = blocked + 1
    }
  }

  /// A run of whole 2 MiB blocks and a tail (`count` ≥ 512 of any size, `alignment` a power of two
  /// ≥ 512), found in the free-block map: the next entirely free block, aligned up; then the map's
  /// bits for the whole blocks; then the tail's frames.
  func findBlockAlignedRun(
    count: UInt64, alignment: UInt64, end: UInt64, cost: inout ContiguousSearchCost
  ) -> UInt64? {
    let block = Self.blockFrames
    let wholeBlocks = count / block
    let alignmentMask = alignment / block - 1
    var candidate: UInt64 = 0
    while let free = freeBlocks.nextSetBit(from: candidate, cost: &cost) {
      let (rounded, overflow) = free.addingReportingOverflow(alignmentMask)
      guard !overflow else { return nil }
      let startBlock = rounded & ~alignmentMask
      guard startBlock < UInt64(blockCount) else { return nil }
      let start = startBlock * block
      guard start < end, count <= end - start else { return nil }
      let blocks = startBlock..<(startBlock + wholeBlocks)
      // Any aligned start up to a missing block would contain it.
      if let missing = freeBlocks.firstMissing(in: blocks, cost: &cost) {
        candidate = missing + 1
        continue
      }
      let tail = (start + wholeBlocks * block)..<(start + count)
      guard firstAllocatedFrame(in: tail, cost: &cost) != nil else { return start }
      // Every start from here to the tail's block contains the tail's allocated frame.
      candidate = blocks.upperBound + 1
    }
    return nil
  }

  /// The lowest frame at or after `candidate` where a run of 1023 or more frames can start, or nil.
  ///
  /// Such a run contains the whole block that starts at its first block boundary, and that block
  /// must be entirely free: so the run starts at most 511 frames before the first entirely free
  /// block at or after `candidate`'s next boundary. One climb and descent of the free-block map.
  func earliestStart(around candidate: UInt64, cost: inout ContiguousSearchCost) -> UInt64? {
    let block = Self.blockFrames
    let boundary = (candidate + block - 1) / block
    guard let free = freeBlocks.nextSetBit(from: boundary, cost: &cost) else { return nil }
    let earliest = free * block > block - 1 ? free * block - (block - 1) : 0
    return Swift.max(candidate, earliest)
  }

  /// Where a first-fit search for `count` frames at `alignment` may start without missing a fit.
  ///
  /// A run of 128 or more frames, or of 64 or more starting on a word boundary, contains a whole
  /// free word, so it cannot start more than 63 frames before the first such word. Skipping to
  /// there turns repeated 2 MiB requests in memory fragmented at low addresses — or a failing
  /// request — from a scan of the whole bitmap each time into one scan, amortised.
  func searchStart(count: UInt64, alignment: UInt64, cost: inout ContiguousSearchCost) -> UInt64 {
    let wordBits = UInt64(BitmapWord.bitCount)
    let containsWholeWord = count >= 2 * wordBits || (count >= wordBits && alignment >= wordBits)
    guard containsWholeWord else { return 0 }
    let firstFull = UInt64(raiseFullWordFloor(cost: &cost)) << BitmapWord.indexShift
    return firstFull > BitmapWord.bitIndexMask ? firstFull - BitmapWord.bitIndexMask : 0
  }

  /// Moves the full-word floor up to the first entirely free word at or above it (or to the end)
  /// and returns it. Linear in the words skipped; they are not skipped again until a free makes
  /// one of them whole.
  func raiseFullWordFloor(cost: inout ContiguousSearchCost) -> Int {
    let slot = header + BitmapLayout.HeaderSlot.fullWordFloor
    var index = Int(truncatingIfNeeded: slot.pointee)
    while index < baseWordCount, freeWords[index] != BitmapWord.allOnes {
      cost.wordsRead &+= 1
      index += 1
    }
    slot.pointee = UInt64(index)
    return index
  }

  /// Lowers the full-word floor for any word of `run` that is now entirely free.
  func noteFullWords(in run: Range<UInt64>) {
    for (word, _) in BitmapRunWords(run) where freeWords[word] == BitmapWord.allOnes {
      lowerFullWordFloor(to: word)
      return
    }
  }

  /// The lowest frame in `run` that is not free, or nil when the whole run is free.
  func firstAllocatedFrame(in run: Range<UInt64>, cost: inout ContiguousSearchCost) -> UInt64? {
    for (word, mask) in BitmapRunWords(run) {
      cost.wordsRead &+= 1
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
    refreshFreeBlocks(words: wordSpan(of: run))
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
