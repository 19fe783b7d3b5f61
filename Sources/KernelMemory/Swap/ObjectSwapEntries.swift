/// Swap entries in a memory object's page index (issue 12: "tmpfs pages are swap-backed").
///
/// An object's index is a radix tree in the page-table format (`MemoryObject.indexRoot`), so
/// a swapped page's entry is the same `SwapEntry` a private page's leaf holds: Present clear,
/// the marker bit, the slot number. The index entry is one holder of its slot
/// (`SwapSlotMap`'s reference count), exactly as a leaf is; objects are never copied by fork
/// (a fork maps the same object), so an object's slot has that one holder all its life.
///
/// The index is never loaded into CR3: its walks flush nothing (`UncachedIndex`), and its
/// emptied tables are freed by the walk like a page table's.
///
/// LOCK: the object's lock (its index) and the swap lock (the slot counts), in that order.
extension PhysicalMemoryContext {
  /// Whether object `id`'s pages go to swap under pressure: shared anonymous memory and the
  /// files of the writable file system — but not a file the page cache still knows by its
  /// archive bytes (`PageCache`): those pages are clean and are dropped instead
  /// (PageCacheReclaim.swift).
  public func isSwapBacked(_ id: MemoryObjectID) -> Bool {
    switch objects[id].kind {
    case .fileContents: return false
    case .anonymousShared: return true
    case .file: return pageCache.file(cachedAs: id) == nil
    }
  }

  /// The swap entry object `id`'s index holds for page `offset`, if it holds one.
  public func objectSwapEntry<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) -> SwapEntry? {
    guard objects[id].swappedPages > 0 else { return nil }
    var finder = IndexSwapEntryFinder()
    walkIndex(id, pages: offset..<offset + 1, &finder, through: memory)
    return finder.found
  }

  /// Clears every swap entry of object `id`'s pages `offsets`, each one holder fewer of its
  /// slot (a slot left with none is freed, and its cached frame with it when nothing else
  /// holds that frame): truncation, a hole punched, destruction. Returns how many went.
  @discardableResult
  func dropObjectSwapEntries<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, pages offsets: Range<UInt64>, through memory: Memory
  ) -> UInt64 {
    guard objects[id].swappedPages > 0, !offsets.isEmpty else { return 0 }
    var dropper = IndexSwapEntryDropper(physical: self)
    walkIndex(id, pages: offsets, &dropper, through: memory)
    objects[id].swappedPages -= dropper.dropped
    return dropper.dropped
  }

  /// One walk of object `id`'s index over the pages `offsets` with `walker`; the tables it
  /// empties are freed.
  func walkIndex<Walker: PageWalker, Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, pages offsets: Range<UInt64>, _ walker: inout Walker,
    through memory: Memory
  ) {
    let end = min(offsets.upperBound, Self.maximumFileBytes >> PageSize.size4KiB.shift)
    guard offsets.lowerBound < end else { return }
    let root = objects[id].indexRoot
    var flush = TLBFlush(root: root)
    _ = PageMap(root: root, memory: memory).walk(
      from: offsets.lowerBound << PageSize.size4KiB.shift,
      through: (end << PageSize.size4KiB.shift) - 1, &walker, flush: &flush, tlb: UncachedIndex(),
      frames: &frames)
    flush.flush(UncachedIndex(), returningFramesTo: &frames)
  }
}

/// The walker of `objectSwapEntry`: remembers the swap entry of its one page.
struct IndexSwapEntryFinder: PageWalker {
  var found: SwapEntry? = nil
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    found = slot.entry.swapEntry
    return .keep
  }
}

/// The walker of `dropObjectSwapEntries`: clears each swap entry, releasing its slot; the
/// present entries (resident pages) are left to the caller.
struct IndexSwapEntryDropper<Frames: FrameSource>: PageWalker {
  let physical: PhysicalMemoryContext<Frames>
  var dropped: UInt64 = 0
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard let entry = slot.entry.swapEntry else { return .keep }
    physical.releaseSwapReference(entry.slot)
    dropped += 1
    return .clear
  }
}
