/// Swap-out through the anonymous reverse map (`AnonymousLineageTable`): when this space
/// turns its leaf of a private page into a swap entry and other spaces still map the frame
/// (shared after fork, copy-on-write), their leaves are found through the region's lineage
/// and replaced with the same swap entry at once — one slot, one write, and the frame
/// leaves RAM when the write completes instead of when every sharer's clock hand has come
/// round (issue 12 §3: "unmaps a page from every address space that maps it").
///
/// Which sharers' leaves are taken:
/// - a frame **under write** (this swap-out queued it, or an earlier one of this pass):
///   every leaf that maps it, accessed or not — the page was judged cold where reclaim found
///   it, and keeping it for one sharer would cost the frame and the write both;
/// - a **clean copy** (the swap cache's frame, read back and mapped again by several spaces):
///   only the leaves whose accessed bit is clear, as their own clock hand would — a sharer
///   using the page keeps it, with no write owed either way;
/// - a frame whose **write failed** (`.swapDirty`) is treated as under write: when its last
///   leaf goes it is queued again.
///
/// LOCK: the lineage lock across the search, each member space's address-space lock around
/// its part (see `AnonymousLineageTable`).
extension AddressSpace {
  /// The sharers' side of `swapOut(range, into: batch)` (called by it once its own walk and
  /// flush are done): for every swap entry of `range` whose slot's cached frame other
  /// leaves still map, takes those leaves too (see above). Frames that must be written
  /// again go into `batch`. A sharer left unreached (its lineage was full, or no frame was
  /// left to copy a page table fork shares) keeps its leaf: the frame stays until its own
  /// clock hand takes it, as without the map.
  public func swapOutLineageSharers(of range: VirtualRange, into batch: inout SwapOutBatch) {
    guard physical.swap != nil, !physical.lineages.isEmpty, range.end > range.start else {
      return
    }
    var index = firstRegion(endingAfter: range.start)
    while index < regions.count {
      let region = regions[index]
      guard region.range.start < range.end else { return }
      index += 1
      guard let lineage = region.lineage, physical.lineages.memberCount(of: lineage) > 1
      else { continue }
      let part = VirtualRange(
        uncheckedStart: max(range.start, region.range.start),
        end: min(range.end, region.range.end))
      let pages = sharedSwapCachePages(in: part, of: region)
      guard !pages.isEmpty else { continue }
      reachSharers(of: pages, in: region, lineage: lineage, into: &batch)
    }
  }

  /// The swap entries of `part` (inside `region`) whose slot's cached frame is still mapped
  /// by some leaf, by lineage page.
  func sharedSwapCachePages(in part: VirtualRange, of region: Region) -> [LineagePage] {
    var finder = SharedSwapCacheFinder(space: self, region: region)
    walk(part, &finder)
    return finder.pages
  }

  /// Offers `pages` (of `region`, in `lineage`) to every other member of the lineage that
  /// covers some of them, until no leaf maps any of their frames.
  func reachSharers(
    of pages: [LineagePage], in region: Region, lineage: AnonymousLineageID,
    into batch: inout SwapOutBatch
  ) {
    guard let first = pages.first, let last = pages.last else { return }
    let own = lineageMember(region)
    let members = physical.lineages.members(of: lineage).overlapping(first.page..<last.page + 1)
    for member in members where member != own {
      physical.spaces[member.space].swapOutLineageLeaves(member, pages, &batch)
      if stillMapped(pages) == 0 { return }
    }
  }

  /// The leaves that still map the frames of `pages` (each frame's map count, while it
  /// still caches the page's slot).
  func stillMapped(_ pages: [LineagePage]) -> UInt64 {
    let table = physical.frameTable
    var mapped: UInt64 = 0
    for page in pages {
      let info = table[page.frame]
      guard info.state.contains(.swapCache), info.swapSlot == page.slot.number else { continue }
      mapped += UInt64(info.mapCount)
    }
    return mapped
  }

  /// This space's part of `reachSharers`: in the region `member` names, each leaf at one of
  /// `pages` that maps the page's frame becomes the page's swap entry (see the extension's
  /// comment for which). One walk over the member's part, unsharing fork's tables on the
  /// way, and one flush of this space's TLB. Returns the leaves replaced.
  @discardableResult
  func swapOutLineageLeaves(
    _ member: ObjectMapping, _ pages: [LineagePage], into batch: inout SwapOutBatch
  ) -> UInt64 {
    guard let first = pages.first, let last = pages.last else { return 0 }
    let range = member.addresses(mapping: first.page..<last.page + 1)
    guard range.end > range.start else { return 0 }
    var swapper = LineageLeafSwapper(space: self, member: member, pages: pages, batch: batch)
    var frames = ContextFrames(physical: physical)
    var flush = TLBFlush(root: pageMap.root)
    // Out of frames for a table copy: the leaves replaced so far stay replaced, the rest
    // keep their frames (the clock takes them later).
    _ = pageMap.walk(
      from: range.start, through: range.end - 1, &swapper, flush: &flush, tlb: tlb,
      frames: &frames)
    flush.flush(tlb, returningFramesTo: &frames)
    residentFrames -= swapper.replaced
    swappedPages += swapper.replaced
    batch = swapper.batch
    return swapper.replaced
  }
}

/// A page of a lineage that swap-out looks for in the other members: its lineage page, the
/// frame that held it where it was found, and the slot it now lives in.
public struct LineagePage: Equatable, Sendable {
  /// The page's lineage page (`Region.lineagePage(at:)`).
  public let page: UInt64
  /// The frame the sharers' leaves must map to be taken.
  public let frame: PhysicalFrame
  /// The slot whose entry replaces them.
  public let slot: SwapSlot
}

/// The walker of `sharedSwapCachePages`: reads the swap entries of one region's part.
struct SharedSwapCacheFinder<
  Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource
>: PageWalker {
  let space: AddressSpace<Memory, TLB, Frames>
  let region: Region
  var pages: [LineagePage] = []

  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard let entry = slot.entry.swapEntry, let swap = space.physical.swap,
      let frame = swap.cachedFrame(of: entry.slot, in: space.physical.frameTable)
    else { return .keep }
    let info = space.physical.frameTable[frame]
    guard info.mapCount > 0, info.state.isDisjoint(with: [.shared, .pinned, .underRead]) else {
      return .keep
    }
    pages.append(
      LineagePage(page: region.lineagePage(at: slot.start), frame: frame, slot: entry.slot))
    return .keep
  }
}

/// The walker of `swapOutLineageLeaves`: replaces the leaves of one member's part that map
/// the frames looked for (`LineagePage`s, in lineage-page order, as the walk's addresses).
struct LineageLeafSwapper<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let member: ObjectMapping
  let pages: [LineagePage]
  var batch: SwapOutBatch
  /// The next of `pages` not below the walk's position.
  var cursor = 0
  /// Leaves replaced (as `residentFrames` and `swappedPages` count them).
  var replaced: UInt64 = 0

  var target: WalkTarget { .presentLeaves }
  var sharedTables: SharedTablePolicy { .unshareFirst }

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    space.unshareTable(at: pointer)
  }

  /// The page looked for at lineage page `page`, if any.
  mutating func page(at page: UInt64) -> LineagePage? {
    while cursor < pages.count, pages[cursor].page < page { cursor += 1 }
    guard cursor < pages.count, pages[cursor].page == page else { return nil }
    return pages[cursor]
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= member.regionStart, slot.size == .size4KiB,
      let wanted = page(
        at: member.objectOffset + ((slot.start - member.regionStart) >> PageSize.size4KiB.shift)),
      slot.entry.frame == wanted.frame, let swap = space.physical.swap
    else { return .keep }
    let table = space.physical.frameTable
    let info = table[wanted.frame]
    guard info.state.contains(.swapCache), info.swapSlot == wanted.slot.number,
      info.state.isDisjoint(with: [.shared, .pinned, .underRead])
    else { return .keep }
    let owesWrite = info.state.contains(.underWrite) || info.state.contains(.swapDirty)
    guard owesWrite || !slot.entry.flags.contains(.accessed) else { return .keep }
    swap.slots.retain(wanted.slot)
    _ = space.leaveFrameForSwap(wanted.frame, info, slot: wanted.slot, batch: &batch, flush: &flush)
    replaced += 1
    return .write(SwapEntry(slot: wanted.slot).pageTableEntry)
  }
}

/// A leaf the lineage found: the space and the address it maps a page at.
public struct LineageLeaf: Hashable, Sendable {
  /// The space whose leaf it is.
  public let space: AddressSpaceID
  /// The page's address there.
  public let address: UInt64
}

extension AddressSpace {
  /// What the lineage finds for the page this space maps at `address`: the leaves of the
  /// other members that map the same frame (none for an unmapped page, a huge page, a region
  /// without a lineage). The search swap-out makes, read-only — for audits and tests: a
  /// frame mapped by n spaces' leaves must find the other n - 1.
  public func lineageLeaves(ofPageAt address: UInt64) -> [LineageLeaf] {
    guard let region = region(containing: address), let lineage = region.lineage,
      let mapping = pageMap.mapping(containing: VirtualAddress(truncatingToCanonical: address)),
      mapping.size == .size4KiB
    else { return [] }
    let page = address & ~(PageSize.size4KiB.bytes - 1)
    let wanted = LineagePage(
      page: region.lineagePage(at: page), frame: mapping.frameAddress.frame, slot: .header)
    let own = lineageMember(region)
    var found: [LineageLeaf] = []
    let members = physical.lineages.members(of: lineage).overlapping(wanted.page..<wanted.page + 1)
    for member in members where member != own {
      if let at = physical.spaces[member.space].findLineageLeaf(member, wanted) {
        found.append(LineageLeaf(space: member.space, address: at))
      }
    }
    return found
  }

  /// The address at which the region `member` names maps `wanted`'s lineage page, if its
  /// leaf there maps `wanted.frame` (`lineageLeaves`' question to one member).
  func lineageLeaf(in member: ObjectMapping, mapping wanted: LineagePage) -> UInt64? {
    let address =
      member.regionStart + ((wanted.page - member.objectOffset) << PageSize.size4KiB.shift)
    guard let mapping = pageMap.mapping(containing: VirtualAddress(truncatingToCanonical: address)),
      mapping.size == .size4KiB, mapping.frameAddress.frame == wanted.frame
    else { return nil }
    return address
  }
}
