/// The aging scan of one address space: the part of the clock that looks at leaves.
///
/// It walks the space's regions in address order from a cursor, at most one page table
/// (`agingChunkBytes`) and never more pages than the budget has left per walk, until the
/// budget is spent, and for each present 4 KiB leaf:
/// - **accessed** → clears the bit (the page was used since the hand last passed: a second
///   chance) and owes its invalidation, so the next use sets the bit again — the CPU (and the
///   SoftwareMMU) set it only when they load the translation. Linux on x86 skips that flush
///   (`ptep_clear_flush_young` without a flush) and accepts missing a use; here the flush is
///   part of the record being right.
/// - **not accessed**, a page of a clean page-cache object (`PageCache`: its bytes are still
///   the archive's, so the file can refill it) → the leaf is removed (one mapping fewer;
///   the page stays in the cache until no leaf maps it, `dropUnmappedCachePages`), unless the
///   leaf is in a page table fork shares (clearing it there would unmap it for every sharer
///   under one count) — then it waits for the unshare.
/// - **not accessed**, anything else → a `ReclaimCandidate` for swap-out.
///
/// Huge leaves and the zero page are passed over (neither is reclaimed). The scan never
/// allocates (shared tables are read through, not unshared) and never frees a frame, so it
/// is safe at any safe point. LOCK: the address-space lock, taken per chunk.
extension AddressSpace {
  /// The addresses one walk covers at most: one last-level page table.
  public static var agingChunkBytes: UInt64 { PageSize.size2MiB.bytes }

  /// Ages this space's leaves from `cursor` on until `budget` is spent or the last region
  /// ends, adding to `report` (candidates up to `wanted` in all). With `swapping`, the cold
  /// private pages of each chunk go into `batch` as they are found (`swapOut`, phase one of
  /// swap-out; a run of neighbours is one call, so neighbouring pages get neighbouring
  /// slots), until the batch or the swap area is full. Returns where the next pass resumes,
  /// nil when it reached the end of the space.
  func age(
    from cursor: UInt64, budget: Int, wanted: Int, into report: inout AgingReport,
    swapping: Bool, batch: inout SwapOutBatch
  ) -> UInt64? {
    let stop = report.scanned + budget
    var next = cursor
    var index = firstRegion(endingAfter: cursor)
    let cached = physical.pageCache
    while index < regions.count, report.scanned < stop, report.swapOutStopped == nil {
      let region = regions[index]
      let start = max(next, region.range.start)
      let left = UInt64(stop - report.scanned) << PageSize.size4KiB.shift
      let chunkEnd = min(
        region.range.end, (start | (Self.agingChunkBytes - 1)) + 1, start + left)
      var walker = AgingWalker(
        space: self, region: region, wanted: wanted,
        cleanCache: region.object.map { cached.file(cachedAs: $0) != nil } ?? false,
        report: report)
      walk(VirtualRange(uncheckedStart: start, end: chunkEnd), &walker)
      report = walker.report
      if swapping, report.swapOutStopped == nil {
        swapOutColdRuns(walker.coldRuns, into: &batch, &report)
      }
      report.scanned += 1  // the walk itself, so an empty stretch is not free
      residentFrames -= UInt64(walker.unmapped)
      next = chunkEnd
      if chunkEnd == region.range.end { index += 1 }
    }
    return index < regions.count ? next : nil
  }
}

/// The walker of `AddressSpace.age` over one chunk of one region.
struct AgingWalker<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let region: Region
  let wanted: Int
  /// Whether the region's object is a clean page-cache object (its cold pages are dropped).
  let cleanCache: Bool
  var report: AgingReport
  /// Leaves removed (as `residentFrames` counts them).
  var unmapped = 0
  /// The cold private pages of the chunk, as runs of neighbours (what swap-out takes).
  var coldRuns: [VirtualRange] = []

  var target: WalkTarget { .presentLeaves }

  /// Adds the page at `start` to the last run, or starts a new one.
  mutating func addCold(_ start: UInt64) {
    let end = start + PageSize.size4KiB.bytes
    if let last = coldRuns.indices.last, coldRuns[last].end == start {
      coldRuns[last] = VirtualRange(uncheckedStart: coldRuns[last].start, end: end)
    } else {
      coldRuns.append(VirtualRange(uncheckedStart: start, end: end))
    }
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.size == .size4KiB else { return .keep }
    report.scanned += 1
    let frame = slot.entry.frame
    guard frame != space.zeroPage else { return .keep }
    if slot.entry.flags.contains(.accessed) {
      report.referenced += 1
      var young = slot.entry
      young.rawValue &= ~PageTableFlags.accessed.rawValue
      return .write(young)
    }
    let table = space.physical.frameTable
    let objectPage = table[frame].state.contains(.shared)
    if objectPage, cleanCache {
      guard !table[slot.location.table].state.contains(.sharedPageTable) else { return .keep }
      precondition(!table.recordUnmapping(of: frame), "the cache's page freed by aging")
      report.unmappedCachePages += 1
      unmapped += 1
      return .clear
    }
    if !objectPage { addCold(slot.start) }
    guard report.candidates.count < wanted else { return .keep }
    if objectPage, let object = region.object {
      report.candidates.append(.objectPage(object, offset: region.objectPage(at: slot.start)))
    } else {
      report.candidates.append(.privatePage(space: space.spaceID, address: slot.start))
    }
    return .keep
  }
}

extension AddressSpace {
  /// Phase one of swap-out for the cold runs one aging walk found: each run is one
  /// `swapOut` call (which unmaps its pages, assigns neighbouring slots and queues the
  /// frames on `batch`); stops at the first that stops early (batch or swap area full).
  func swapOutColdRuns(
    _ runs: [VirtualRange], into batch: inout SwapOutBatch, _ report: inout AgingReport
  ) {
    for run in runs {
      let result = swapOut(run, into: &batch)
      report.pagesQueued += Int(result.pagesUnmapped)
      if let stop = result.stopped {
        report.swapOutStopped = stop
        return
      }
    }
  }
}
