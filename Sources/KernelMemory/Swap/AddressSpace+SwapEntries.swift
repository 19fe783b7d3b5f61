/// The paths other than the fault that meet swap entries: reading them (audits, `VmSwap`),
/// dropping them (teardown; `munmap` and `madvise` through `MappingDropper`), moving them
/// (`mremap`).
extension AddressSpace {
  /// Calls `body` with the address, slot and leaf location of every swap entry in `range`,
  /// in address order; tables fork shares are read through (a leaf there is one holder of its
  /// slot however many spaces reach it: compare locations to count holders).
  public func forEachSwapEntry(
    in range: VirtualRange, _ body: (UInt64, SwapSlot, PhysicalAddress) -> Void
  ) {
    guard range.end > range.start else { return }
    withoutActuallyEscaping(body) { body in
      var visitor = SwapEntryVisitor(start: range.start, body: body)
      var flush = TLBFlush(root: pageMap.root)
      var none = ContextFrames(physical: physical)
      _ = pageMap.walk(
        from: range.start, through: range.end - 1, &visitor, flush: &flush,
        tlb: NoMidWalkFlush(), frames: &none)
      flush.finishEmpty()
    }
  }

  /// The swap entry at the 4 KiB page of `address`, if its leaf holds one.
  public func swapEntry(at address: UInt64) -> SwapEntry? {
    let page = address & ~PageSize.size4KiB.offsetMask
    var found: SwapEntry? = nil
    forEachSwapEntry(in: VirtualRange(uncheckedStart: page, end: page + PageSize.size4KiB.bytes)) {
      _, slot, _ in found = SwapEntry(slot: slot)
    }
    return found
  }

  /// Drops every swap entry of the process's part — teardown's step after it dropped its
  /// shares of fork's tables (the entries of a table still shared stay the other sharers').
  func dropSwapEntries() {
    guard swappedPages > 0 else { return }
    var dropper = SwapEntryDropper(physical: physical)
    var frames = ContextFrames(physical: physical)
    var flush = TLBFlush(root: pageMap.root)
    _ = pageMap.walk(
      from: 0, through: UserLayout.end - 1, &dropper, flush: &flush, tlb: tlb, frames: &frames)
    flush.flush(tlb, returningFramesTo: &frames)
    swappedPages = 0
  }

  /// Moves the swap entries of `source` to the same offset from `destination` (`mremap`'s
  /// move, after `moveBacking` moved the frames): each slot keeps its holders' count — one
  /// entry is written and one cleared. Both ranges are unshared already; the destination's
  /// commit covers the tables this creates. A window of one page table at a time, so the list
  /// stays bounded (see `forEachMappingInBatches`).
  func moveSwapEntries(from source: VirtualRange, by offset: UInt64) {
    guard swappedPages > 0 else { return }
    let windowBytes = UInt64(pageTableEntryCount) * PageSize.size4KiB.bytes
    var batch: [(UInt64, SwapSlot)] = []
    var windowStart = source.start
    while windowStart < source.end {
      let boundary = (windowStart / windowBytes + 1) * windowBytes
      let window = VirtualRange(uncheckedStart: windowStart, end: min(boundary, source.end))
      forEachSwapEntry(in: window) { address, slot, _ in batch.append((address, slot)) }
      for (address, slot) in batch {
        let target = VirtualAddress(canonical: address &+ offset)
        guard
          case .slot(let leaf, let tableEntry) = pageMap.demandSlot(
            for: target, frames: &physical.frames)
        else { preconditionFailure("the move destination's tables could not be had") }
        pageMap.fillDemandSlot(
          leaf: leaf, tableEntry: tableEntry, with: SwapEntry(slot: slot).pageTableEntry)
      }
      if !batch.isEmpty {
        var clearer = SwapEntryClearer(start: window.start)
        var frames = ContextFrames(physical: physical)
        var flush = TLBFlush(root: pageMap.root)
        _ = pageMap.walk(
          from: window.start, through: window.end - 1, &clearer, flush: &flush, tlb: tlb,
          frames: &frames)
        flush.flush(tlb, returningFramesTo: &frames)
      }
      batch.removeAll(keepingCapacity: true)
      windowStart = window.end
    }
  }
}

/// The walker of `forEachSwapEntry`.
struct SwapEntryVisitor: PageWalker {
  let start: UInt64
  let body: (UInt64, SwapSlot, PhysicalAddress) -> Void
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    if slot.start >= start, let entry = slot.entry.swapEntry {
      body(slot.start, entry.slot, slot.location.address)
    }
    return .keep
  }
}

/// The walker of `dropSwapEntries`: clears each swap entry, one holder fewer of its slot.
struct SwapEntryDropper<Frames: FrameSource>: PageWalker {
  let physical: PhysicalMemoryContext<Frames>
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard let entry = slot.entry.swapEntry else { return .keep }
    physical.releaseSwapReference(entry.slot)
    return .clear
  }
}

/// The walker of `moveSwapEntries`: clears the swap entries of the source, whose holders
/// moved (no slot reference changes).
struct SwapEntryClearer: PageWalker {
  let start: UInt64
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= start, slot.entry.swapEntry != nil else { return .keep }
    return .clear
  }
}
