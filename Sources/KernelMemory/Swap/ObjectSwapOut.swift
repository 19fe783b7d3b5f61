/// Swap-out of memory-object pages (issue 12): the pages of shared anonymous memory and of
/// tmpfs/memfd files (`isSwapBacked`) go to the same swap area, through the same batch and
/// completion, as private pages (`SwapOutBatch`, `completeSwapOut`) — no new case in either.
///
/// **Why the existing completion is right for them.** An object page leaves its object
/// before it joins the batch: every leaf that maps it is removed first (the object's reverse
/// map, `unmapObjectPages`), its index entry becomes the slot's swap entry, and the frame
/// stops being `.shared` — it is then exactly what a private page whose last leaf went is: a
/// swap-cache frame under write, mapped by nothing. The completion frees it when the write
/// succeeded, or keeps it (`.swapDirty`, still found through the swap cache) when it failed.
/// A fault or a `read` meanwhile takes the page back from the cache (ObjectSwapIn.swift).
///
/// LOCK: the object's lock, each mapping space's lock around its unmap, the swap lock.
extension PhysicalMemoryContext {
  /// Phase one of swap-out for object `id`'s resident pages `offsets`: each is unmapped from
  /// every address space, given a slot (neighbours of the last handed out, so a run of pages
  /// is one transfer) and queued on `batch` under write; its index entry holds the slot's swap
  /// entry from now on. The kernel writes the batch and completes it (`completeSwapOut`).
  ///
  /// Skipped: a page some leaf still maps (its space had no frame to unshare fork's table),
  /// a pinned frame. Stops early (`SwapOutResult.stopped`) when the area is full or the batch
  /// holds `AddressSpace.swapOutBatchLimit` pages. Nothing happens to an object that is not
  /// swap-backed (a clean page-cache file: reclaim drops its pages instead).
  public func swapOutObjectPages<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, offsets: Range<UInt64>, into batch: inout SwapOutBatch,
    through memory: Memory
  ) -> SwapOutResult {
    swapOutObjectPages(id, offsets: offsets, unmapping: true, into: &batch, through: memory)
  }

  /// `swapOutObjectPages`; without `unmapping`, only the pages no leaf maps now go (the
  /// object hand's sweep, which leaves mapped pages to the aging hand's accessed bits).
  func swapOutObjectPages<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, offsets: Range<UInt64>, unmapping: Bool,
    into batch: inout SwapOutBatch, through memory: Memory
  ) -> SwapOutResult {
    let end = min(offsets.upperBound, objects[id].pageCount)
    guard swap != nil, offsets.lowerBound < end, isSwapBacked(id) else { return SwapOutResult() }
    let pages = offsets.lowerBound..<end
    if unmapping { unmapObjectPages(id, offsets: pages) }
    var walker = ObjectSwapOutWalker(physical: self, batch: batch)
    walkIndex(id, pages: pages, &walker, through: memory)
    batch = walker.batch
    objects[id].residentPages -= walker.result.pagesUnmapped
    objects[id].swappedPages += walker.result.pagesUnmapped
    return walker.result
  }
}

/// The walker of `swapOutObjectPages` over an object's index: turns each resident page no
/// leaf maps into a swap entry, its frame queued for writing.
struct ObjectSwapOutWalker<Frames: FrameSource>: PageWalker {
  let physical: PhysicalMemoryContext<Frames>
  var batch: SwapOutBatch
  var result = SwapOutResult()
  var target: WalkTarget { .presentLeaves }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard result.stopped == nil, let swap = physical.swap else { return .keep }
    let frame = slot.entry.frame
    let table = physical.frameTable
    var info = table[frame]
    guard info.mapCount == 0, !info.state.contains(.pinned) else { return .keep }
    guard batch.pageCount < pageTableEntryCount else {
      result.stopped = .batchFull
      return .keep
    }
    guard let fresh = swap.slots.allocate() else {
      result.stopped = .swapFull
      return .keep
    }
    info.state.remove(.shared)
    table[frame] = info
    swap.link(frame, to: fresh, state: [.underWrite, .swapDirty], in: table)
    batch.add(frame, to: fresh)
    result.pagesUnmapped += 1
    return .write(SwapEntry(slot: fresh).pageTableEntry)
  }
}
