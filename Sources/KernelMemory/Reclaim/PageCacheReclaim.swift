/// Clean page-cache pages are dropped, never written: a page of an object the page cache
/// holds (`PageCache`: a file of the initramfs whose bytes are still the archive's) can be
/// read again from the file at any time, so reclaim frees its frame once no leaf maps it and
/// the next user — a fault (`AddressSpace.fillNewPage`), a `read` (`cachedPage`), the write
/// that makes the file part ways with the archive (`forgetCachedFile`) — fills a new frame
/// from the file. Its charge stays with the object (it was charged for every page), so a
/// refill is covered by the commit like any page of it.
///
/// A cached object's pages can change only by becoming not clean first: `write` and
/// `ftruncate` make the cache forget the file, and so does a `MAP_SHARED` mapping of a file
/// open for writing (the kernel's `FileMapping`), before any byte changes.
///
/// LOCK: the page-cache lock and the object's lock.
extension PhysicalMemoryContext {
  /// Moves the cache hand over at most `budget` pages of the cached objects, freeing each
  /// resident one that no leaf maps; returns the frames freed.
  public func dropUnmappedCachePages<Memory: PhysicalMemoryAccess>(
    budget: UInt64, through memory: Memory
  ) -> UInt64 {
    var freed: UInt64 = 0
    var scanned: UInt64 = 0
    var entriesVisited = 0
    while scanned < budget, !pageCache.entries.isEmpty,
      entriesVisited <= pageCache.entries.count
    {
      if reclaim.cacheEntry >= pageCache.entries.count {
        reclaim.cacheEntry = 0
        reclaim.cachePage = 0
      }
      let object = pageCache.entries[reclaim.cacheEntry].object
      let pages = objects[object].pageCount
      while reclaim.cachePage < pages, scanned < budget {
        let page = reclaim.cachePage
        reclaim.cachePage += 1
        scanned += 1
        guard let frame = residentPage(object, at: page, through: memory),
          frameTable[frame].mapCount == 0
        else { continue }
        removeCachePage(object, at: page, through: memory)
        freed += 1
      }
      if reclaim.cachePage >= pages {
        reclaim.cacheEntry += 1
        reclaim.cachePage = 0
        entriesVisited += 1
      }
    }
    return freed
  }

  /// Drops pages `offsets` of the clean cached object `id` now, wherever they are mapped:
  /// each leaf in every space goes first (`unmapObjectPages`, through the reverse map), then
  /// the frames. Private copies of the pages stay (they are not the cache's). Returns the
  /// frames freed. What `echo 1 > /proc/sys/vm/drop_caches` does to one file.
  @discardableResult
  public func dropCachedPages<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, offsets: Range<UInt64>, through memory: Memory
  ) -> UInt64 {
    precondition(pageCache.file(cachedAs: id) != nil, "dropping pages of an uncached object")
    let end = min(offsets.upperBound, objects[id].pageCount)
    guard offsets.lowerBound < end else { return 0 }
    unmapObjectPages(id, offsets: offsets.lowerBound..<end)
    var freed: UInt64 = 0
    for page in offsets.lowerBound..<end
    where residentPage(id, at: page, through: memory) != nil {
      removeCachePage(id, at: page, through: memory)
      freed += 1
    }
    return freed
  }

  /// The frame of page `offset` of object `id`: the resident one, or, for a cached object
  /// whose page reclaim dropped, a new one filled from the file. nil for a hole of an
  /// uncached object (it reads as zeros).
  public func cachedPage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) -> PhysicalFrame? {
    if let frame = residentPage(id, at: offset, through: memory) { return frame }
    guard offset < objects[id].pageCount, let file = pageCache.file(cachedAs: id) else {
      return nil
    }
    return refillCachePage(id, at: offset, from: file, through: memory)
  }

  /// Reads back every page of cached object `id` that reclaim dropped (the file is about to
  /// part ways with its archive bytes, which will no longer be there to refill from).
  func refillDroppedPages<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, from file: FileContents, through memory: Memory
  ) {
    let pages = min(objects[id].pageCount, file.pageCount)
    guard objects[id].residentPages < pages else { return }
    for page in 0..<pages where residentPage(id, at: page, through: memory) == nil {
      _ = refillCachePage(id, at: page, from: file, through: memory)
    }
  }

  /// A new frame for page `offset` of cached object `id`, filled from `file`. The object's
  /// charge covers it, so no frame is a broken ledger (a kernel bug).
  func refillCachePage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, from file: FileContents, through memory: Memory
  ) -> PhysicalFrame {
    guard let frame = try? filePage(id, at: offset, through: memory) else {
      preconditionFailure("no frame for a charged page-cache page")
    }
    file.fill(frame, page: offset, through: memory)
    pageCache.filledPages += 1
    reclaim.refilledCachePages += 1
    return frame
  }

  /// Removes page `offset`, which no leaf maps, from object `id`'s index and frees its frame
  /// (and any index table left empty).
  func removeCachePage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) {
    let table = frameTable
    let start = offset << PageSize.size4KiB.shift
    PageMap(root: objects[id].indexRoot, memory: memory).unmapAll(
      in: VirtualRange(uncheckedStart: start, end: start + PageSize.size4KiB.bytes),
      UncachedIndex(), frames: &frames
    ) { entry in
      let frame = entry.frameAddress.frame
      precondition(table[frame].mapCount == 0, "a mapped page-cache page dropped")
      table[frame] = .unused
      return true
    }
    objects[id].residentPages -= 1
    reclaim.droppedCachePages += 1
  }
}

/// Swap-backed object pages — shared anonymous memory, tmpfs and memfd files
/// (`isSwapBacked`) — are dirty: they have no copy but themselves, so reclaim writes them to
/// swap (ObjectSwapOut.swift) instead of dropping them. The clock reaches them two ways:
/// - **Mapped pages** through the aging hand (`AddressSpace.age`): it clears and reads their
///   leaves' accessed bits in every space it sweeps, as for private pages, and offers a leaf
///   found cold as a `ReclaimCandidate.objectPage`; the pass swaps those out, taking each out
///   of every space that maps it (the object's reverse map). A page hot in another space is
///   taken too — that space's next touch faults it back from the swap cache or the disk.
/// - **Unmapped pages** (a file written with `write`, shared memory whose mappers unmapped
///   it) have no leaf and no accessed bit: the *object hand* sweeps the objects' indexes, in
///   slot and page order, and swaps out each resident page no leaf maps when it passes —
///   a clock whose every page is "cold" once its mappers let it go, which for a file
///   streamed through `write` and `read` is first in, first out, as its use is.
///
/// LOCK: the reclaim lock, then the object's lock per object.
extension PhysicalMemoryContext {
  /// The object half of a reclaim round, after `ageMemory` found `report`: the cold object
  /// pages it offered go to `batch` (each run of neighbouring offsets of one object in one
  /// call), then the object hand looks at up to `budget` more pages. Stops when the batch or
  /// the swap area is full (`SwapOutResult.stopped`). Returns the pages queued.
  @discardableResult
  public func reclaimObjectPages<Memory: PhysicalMemoryAccess>(
    after report: AgingReport, budget: UInt64, into batch: inout SwapOutBatch,
    through memory: Memory
  ) -> UInt64 {
    guard swap != nil, report.swapOutStopped == nil else { return 0 }
    var queued: UInt64 = 0
    var run: (object: MemoryObjectID, pages: Range<UInt64>)? = nil
    for candidate in report.candidates {
      guard case .objectPage(let object, let offset) = candidate else { continue }
      if let current = run, current.object == object, current.pages.upperBound == offset {
        run = (object, current.pages.lowerBound..<offset + 1)
        continue
      }
      if let current = run {
        let result = swapOutObjectPages(
          current.object, offsets: current.pages, into: &batch, through: memory)
        queued += result.pagesUnmapped
        if result.stopped != nil { return queued }
      }
      run = (object, offset..<offset + 1)
    }
    if let current = run {
      let result = swapOutObjectPages(
        current.object, offsets: current.pages, into: &batch, through: memory)
      queued += result.pagesUnmapped
      if result.stopped != nil { return queued }
    }
    return queued + moveObjectHand(budget: budget, into: &batch, through: memory)
  }

  /// The object hand: over at most `budget` pages of the swap-backed objects' indexes from
  /// where it stopped, each resident page no leaf maps goes to `batch`. Returns the pages
  /// queued.
  func moveObjectHand<Memory: PhysicalMemoryAccess>(
    budget: UInt64, into batch: inout SwapOutBatch, through memory: Memory
  ) -> UInt64 {
    var queued: UInt64 = 0
    var scanned: UInt64 = 0
    var objectsVisited = 0
    while scanned < budget, objectsVisited <= objects.slots.count, !objects.slots.isEmpty {
      if objects.handSlot >= objects.slots.count {
        objects.handSlot = 0
        objects.handPage = 0
      }
      let id = MemoryObjectID(slot: UInt32(objects.handSlot))
      guard objects.slots[objects.handSlot] != nil, objects[id].residentPages > 0,
        isSwapBacked(id), objects.handPage < objects[id].pageCount
      else {
        objects.handSlot += 1
        objects.handPage = 0
        objectsVisited += 1
        continue
      }
      let first = objects.handPage
      let end = min(objects[id].pageCount, first + (budget - scanned))
      let result = swapOutObjectPages(
        id, offsets: first..<end, unmapping: false, into: &batch, through: memory)
      queued += result.pagesUnmapped
      scanned += end - first
      guard result.stopped == nil else { return queued }  // resumes at `first` next round
      objects.handPage = end
    }
    return queued
  }
}
