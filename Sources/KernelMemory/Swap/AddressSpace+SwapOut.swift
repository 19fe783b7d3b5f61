extension AddressSpace {
  /// The most pages one `swapOut` call puts in a batch (one page table's worth): the batch's
  /// list lives on the kernel heap, so it is bounded whatever range the caller names.
  public static var swapOutBatchLimit: Int { pageTableEntryCount }

  /// Swap-out, phase one: turns the present private anonymous 4 KiB leaves of `range` into
  /// swap entries and adds the frames that must be written to `batch` (issue 12 §3; the
  /// reclaim policy chooses `range`). One walk, which unshares fork's page tables on the way
  /// and flushes this space's TLB for every leaf it changed before it returns — so nothing can
  /// write a frame after it is queued.
  ///
  /// Per leaf:
  /// - Skipped: the zero page, pages of memory objects (`.shared`), pinned frames, huge pages;
  ///   with `secondChance`, a leaf the CPU marked accessed (the bit is cleared instead: the
  ///   clock's second chance).
  /// - A frame not yet in the swap cache gets a free slot (a neighbour of the last one handed
  ///   out, `SwapSlotMap`) and joins the batch under write — even while other leaves still
  ///   map it, which they do read-only (it is not `anonymousExclusive`), so its contents
  ///   cannot change: a page shared after fork gets one slot and one write, whichever leaf is
  ///   taken first, and each later leaf only takes a reference to the slot.
  /// - A frame already caching a slot whose data it matches is freed (after the flush) when
  ///   this was its last leaf: nothing to write — a page swapped in by a read and not
  ///   written since is such a copy (`mapSwapCached`), so it leaves again without a write.
  ///   A full swap area stops nothing but the pages that need a slot: the walk goes on for
  ///   these.
  /// - A frame whose earlier write failed (`.swapDirty`) is written again when its last leaf
  ///   goes.
  ///
  /// The kernel writes the batch and calls `PhysicalMemoryContext.completeSwapOut` for each
  /// transfer. Stops early (`SwapOutResult.stopped`) when the area is full, the batch holds
  /// `swapOutBatchLimit` pages, or no frame is left to copy a shared page table.
  public func swapOut(
    _ range: VirtualRange, into batch: inout SwapOutBatch, secondChance: Bool = false
  ) -> SwapOutResult {
    guard physical.swap != nil, range.end > range.start, range.end <= UserLayout.end else {
      return SwapOutResult()
    }
    var walker = SwapOutWalker(
      space: self, start: range.start, secondChance: secondChance, batch: batch)
    var frames = ContextFrames(physical: physical)
    var flush = TLBFlush(root: pageMap.root)
    let outcome = pageMap.walk(
      from: range.start, through: range.end - 1, &walker, flush: &flush, tlb: tlb,
      frames: &frames)
    flush.flush(tlb, returningFramesTo: &frames)
    if outcome == .outOfFrames, walker.result.stopped == nil {
      walker.result.stopped = .noFrameForTable
    }
    if walker.swapFull, walker.result.stopped == nil { walker.result.stopped = .swapFull }
    residentFrames -= walker.result.pagesUnmapped
    swappedPages += walker.result.pagesUnmapped
    batch = walker.batch
    swapOutLineageSharers(of: range, into: &batch)  // anonrmap: the sharers after fork
    return walker.result
  }
}

/// The walker of `swapOut`: turns each eligible leaf into a swap entry (see there).
struct SwapOutWalker<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let start: UInt64
  let secondChance: Bool
  var batch: SwapOutBatch
  var result = SwapOutResult()
  /// No slot was left for a page that needed one (the walk goes on for clean copies).
  var swapFull = false

  var target: WalkTarget { .presentLeaves }
  var sharedTables: SharedTablePolicy { .unshareFirst }

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    space.unshareTable(at: pointer)
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard result.stopped == nil, slot.start >= start, slot.size == .size4KiB else { return .keep }
    let entry = slot.entry
    let frame = entry.frame
    guard frame != space.zeroPage, let swap = space.physical.swap else { return .keep }
    let table = space.physical.frameTable
    var info = table[frame]
    guard info.state.isDisjoint(with: [.shared, .pinned, .underRead]) else { return .keep }
    if secondChance, entry.flags.contains(.accessed) {
      result.recentlyUsed += 1
      return .write(PageTableEntry(rawValue: entry.rawValue & ~PageTableFlags.accessed.rawValue))
    }
    let swapSlot: SwapSlot
    if info.state.contains(.swapCache) {
      swapSlot = SwapSlot(number: info.swapSlot)
      swap.slots.retain(swapSlot)
    } else {
      guard batch.pageCount < AddressSpace<Memory, TLB, Frames>.swapOutBatchLimit else {
        result.stopped = .batchFull
        return .keep
      }
      guard let fresh = swap.slots.allocate() else {
        // Full: the rest of the range may still hold clean copies that leave without a slot.
        swapFull = true
        return .keep
      }
      swapSlot = fresh
      swap.link(frame, to: fresh, state: [.underWrite, .swapDirty], in: table)
      batch.add(frame, to: fresh)
      info = table[frame]
    }
    if space.leaveFrameForSwap(frame, info, slot: swapSlot, batch: &batch, flush: &flush) {
      result.framesFreed += 1
    }
    result.pagesUnmapped += 1
    return .write(SwapEntry(slot: swapSlot).pageTableEntry)
  }
}

extension AddressSpace {
  /// One leaf of `frame` (record `info`, caching `slot`, whose reference the caller took
  /// for the leaf's swap entry) lets go of it — the end of every swap-out of a leaf, the
  /// clock's (`SwapOutWalker`) and the lineage's (`LineageLeafSwapper`): a frame whose earlier
  /// write failed is queued again once no leaf can change it; a frame no leaf maps and the
  /// swap cache need not keep (a clean copy) leaves the cache, whose hold on the slot the
  /// leaf's entry now has, and is freed after the flush. Returns whether it was freed.
  func leaveFrameForSwap(
    _ frame: PhysicalFrame, _ record: FrameInfo, slot: SwapSlot, batch: inout SwapOutBatch,
    flush: inout TLBFlush
  ) -> Bool {
    guard let swap = physical.swap else { preconditionFailure("a swap-out without a swap area") }
    let table = physical.frameTable
    var info = record
    info.mapCount -= 1
    info.state.remove(.anonymousExclusive)
    if info.mapCount == 0, info.state.contains(.swapDirty), !info.state.contains(.underWrite) {
      swap.slots.beginIO(slot)
      info.state.insert(.underWrite)
      batch.add(frame, to: slot)
    }
    table[frame] = info
    guard info.mapCount == 0, info.state.isDisjoint(with: .keptBySwap) else { return false }
    swap.unlink(frame, in: table)
    table[frame] = .unused
    flush.release(frame)
    return true
  }
}
