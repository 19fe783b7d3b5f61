/// The address space's range changes as walks of its page map (`PageMap.walk`): each is one
/// pass over the tables that unshares fork's tables on the way (`.unshareFirst`), changes the
/// leaves, frees the tables it empties and owes one `TLBFlush` naming this space — not a
/// sweep to unshare, then a list of mappings, then a lookup walk per page.
extension AddressSpace {
  /// Runs `walker` over `range` (of the process's part) and does the flush it owes.
  func walk<Walker: PageWalker>(_ range: VirtualRange, _ walker: inout Walker) {
    guard range.end > range.start else { return }
    var frames = ContextFrames(physical: physical)
    var flush = TLBFlush(root: pageMap.root)
    let outcome = pageMap.walk(
      from: range.start, through: range.end - 1, &walker, flush: &flush, tlb: tlb,
      frames: &frames)
    precondition(outcome == .finished, "the commit did not cover the copy of a shared page table")
    flush.flush(tlb, returningFramesTo: &frames)
  }
}

/// The context's allocator as a `FrameSource` value, so that a walk that takes frames and a
/// visit that unshares a table (which takes one too) reach the allocator through the context
/// each time instead of one long `inout` access to its `frames`.
struct ContextFrames<Frames: FrameSource>: FrameSource {
  let physical: PhysicalMemoryContext<Frames>

  mutating func allocateFrame() -> PhysicalFrame? { physical.allocateFrame() }
  mutating func releaseFrame(_ frame: PhysicalFrame) { physical.releaseFrame(frame) }
}

/// The walker of `dropMappings` (`munmap`, `MADV_DONTNEED`): clears every present leaf and
/// swap entry that starts in the range (a swap entry: one holder fewer of its slot). Each leaf gone is one map count less; a frame whose count reaches zero
/// is queued for release after the flush, one still mapped elsewhere is not; the zero page is
/// nobody's.
struct MappingDropper<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let start: UInt64
  /// Leaves of frames other than the zero page removed (as `residentFrames` counts them).
  var released: UInt64 = 0
  /// Swap entries removed (as `swappedPages` counts them), each one holder fewer of its slot.
  var swapEntriesReleased: UInt64 = 0

  var target: WalkTarget { .presentLeaves }
  var sharedTables: SharedTablePolicy { .unshareFirst }
  var clearsEveryLeaf: Bool { true }
  var visitsSwapEntries: Bool { true }

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    space.unshareTable(at: pointer)
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= start else { return .keep }  // a huge page that starts before
    if let entry = slot.entry.swapEntry {
      space.physical.releaseSwapReference(entry.slot)
      swapEntriesReleased += 1
      return .clear
    }
    let size = slot.size
    let frame = slot.entry.hugePageAddress(size).frame
    guard frame != space.zeroPage else { return .clear }
    released += 1
    if space.physical.recordUnmapping(of: frame) {
      flush.release(frame, count: Int(size.frameCount))
    }
    return .clear
  }
}

/// The walker of `updateLeaves` (`mprotect`): gives every present leaf that starts in the
/// range the flags `leafFlags` decides for its frame, keeping the frame.
struct LeafProtector<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let start: UInt64
  let protection: Protection
  let kind: RegionKind

  var target: WalkTarget { .presentLeaves }
  var sharedTables: SharedTablePolicy { .unshareFirst }

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    space.unshareTable(at: pointer)
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= start else { return .keep }
    let frame = slot.entry.hugePageAddress(slot.size).frame
    var flags = space.leafFlags(mapping: frame, protection: protection, kind: kind)
    flags.insert(.present)
    if slot.size != .size4KiB { flags.insert(.huge) }
    return .write(PageTableEntry(frame: frame, flags: flags))
  }
}
