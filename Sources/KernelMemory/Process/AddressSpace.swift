/// A process's memory: its reserved regions, its page tables, and the frames backing them.
///
/// Regions are reserved and committed up front (`reserve`, `setBreak`) but backed lazily: a
/// page gets a frame only when the process first touches it, through `handlePageFault` (the
/// seed's "reallocation"). Frames and commit come back exactly when ranges are released or the
/// space is torn down.
///
/// An object with identity (a final class), owned by its process: its page tables are not
/// shared with copies of it, because there are none. `fork(into:)` makes a new space whose
/// private pages share frames with this one copy-on-write (see `breakCopyOnWrite` for who
/// copies and who reuses) and whose shared memory maps the same memory objects. Frames, commit and the per-frame records
/// belong to the machine's `PhysicalMemoryContext`, which every space refers to, so accounting
/// is per machine and calls take no frame source or ledger.
///
/// LOCK: the address-space lock (Linux's `mmap_lock`) once a second CPU exists: every method
/// here reads or edits `regions` and the page tables, so each takes it (the page trap for
/// reading the regions and editing one leaf, `reserve`/`release`/`protect` for writing).
///
/// The mutable fields are `@exclusivity(unchecked)`: the kernel serialises every use of a space
/// (one CPU with interrupts off in the kernel today, the lock above later), so the runtime's
/// dynamic exclusivity check — absent in the Embedded kernel build anyway — would only tax the
/// host build, where it measured about 330 instructions per demand fault.
public final class AddressSpace<
  Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource
> {
  /// The page tables (lower half private, upper half shared with the kernel).
  public let pageMap: PageMap<Memory>
  /// The TLB these page tables are loaded into when the process runs.
  public let tlb: TLB
  /// The machine's frames, commit ledger, zero page and frame table.
  public let physical: PhysicalMemoryContext<Frames>
  /// The context's zero page (nil: every first touch gets its own frame).
  @inlinable public var zeroPage: PhysicalFrame? { physical.zeroPage }
  /// The reserved regions, sorted and non-overlapping (a tree: every step O(log n)).
  @exclusivity(unchecked) public internal(set) var regions = RegionTable()
  /// The most regions this space may hold (`vm.max_map_count`): an `mmap`, `munmap` or
  /// `mprotect` that would need more fails with `.tooManyRegions` (`ENOMEM`), changing nothing.
  public let regionLimit: Int
  /// Frames this space's leaves map (the zero page and page tables excluded): its resident
  /// set, frames shared with other spaces (copy-on-write, shared memory) counted in each.
  @exclusivity(unchecked) public internal(set) var residentFrames: UInt64 = 0
  /// Leaves of this space holding swap entries (`SwapEntry`): its pages on swap, what
  /// `/proc/PID/status` reports as `VmSwap` (entries in a table fork shares counted in each
  /// sharer, as `residentFrames` counts frames).
  @exclusivity(unchecked) public internal(set) var swappedPages: UInt64 = 0
  /// Demand faults resolved so far (what `getrusage` reports as `ru_minflt`).
  @exclusivity(unchecked) public internal(set) var resolvedFaults: UInt64 = 0
  /// The first address of the `brk` heap.
  @exclusivity(unchecked) public internal(set) var heapStart: UInt64 = 0
  /// The current program break (may be unaligned; the heap region ends at it rounded up).
  @exclusivity(unchecked) public internal(set) var heapBreak: UInt64 = 0
  /// The table slot of the region the last page fault was in: sequential first touches fault
  /// in the same region over and over, so the page trap checks it (O(1)) before searching
  /// (Linux keeps a similar per-thread cache of recent VMAs). Any slot is safe — it is only a
  /// hint, checked against `regions` on every use, so region changes need not update it.
  @exclusivity(unchecked) var lastFaultRegion = 0
  /// The spurious faults the page trap answered since the last one that changed something.
  @exclusivity(unchecked) var faultProgress = FaultProgress()
  /// This space's name in the context's directory: what memory objects' reverse maps record
  /// (`ObjectMapping`), so `unmapObjectPages` can reach it.
  public let spaceID: AddressSpaceID

  /// Creates an empty address space over `pageMap`, taking its frames and commit from
  /// `physical`, that may hold `regionLimit` regions.
  public init(
    pageMap: PageMap<Memory>, tlb: TLB, physical: PhysicalMemoryContext<Frames>,
    regionLimit: Int = RegionTable.defaultMaxMapCount
  ) {
    self.pageMap = pageMap
    self.tlb = tlb
    self.physical = physical
    self.regionLimit = regionLimit
    spaceID = physical.spaces.reserveSlot()
    physical.spaces.attach(directoryHandle(), to: spaceID)
  }

  /// Leaves the directory. A space torn down has no regions left; one dropped without a
  /// teardown (tests, a failed exec) takes its regions out of the reverse maps first, so no
  /// map names a space that is gone (the objects keep its holds: as before, a space must be
  /// torn down to give its memory back).
  deinit {
    forgetObjectMappings(of: 0..<regions.count)
    forgetLineageMembers(of: 0..<regions.count)
    physical.spaces.remove(spaceID)
  }

  /// Frames currently charged to the commit ledger by this space (kept by the table: O(1)).
  public var committedFrames: UInt64 { regions.totalCharge }

  /// The region containing `address`, if any.
  public func region(containing address: UInt64) -> Region? {
    let index = firstRegion(endingAfter: address)
    guard index < regions.count, regions[index].range.contains(address) else { return nil }
    return regions[index]
  }

  /// `region(containing:)` for the page trap: the region of the last fault first, then the
  /// binary search (remembering what it found).
  func faultRegion(containing address: UInt64) -> Region? {
    if let region = regions.region(inSlot: lastFaultRegion, containing: address) { return region }
    guard let (slot, region) = regions.slot(containing: address) else { return nil }
    lastFaultRegion = slot
    return region
  }

  // MARK: Region bookkeeping

  /// The index of the first region whose end is above `address` (one tree descent).
  func firstRegion(endingAfter address: UInt64) -> Int {
    regions.firstIndex(endingAfter: address)
  }

  /// Whether no region overlaps `range`.
  func isFree(_ range: VirtualRange) -> Bool {
    let index = firstRegion(endingAfter: range.start)
    return index == regions.count || regions[index].range.start >= range.end
  }

  /// Cuts the region that strictly contains `address` in two, so that later operations can act
  /// on whole regions. A committed region's charge is recomputed for each piece, which can cost
  /// a few frames more (their table estimates overlap).
  func split(at address: UInt64) throws(AddressSpaceError) {
    let index = firstRegion(endingAfter: address)
    guard index < regions.count else { return }
    let whole = regions[index]  // one descent: each `regions[index].field` read is another
    guard whole.range.start < address else { return }
    var lower = whole
    var upper = whole
    lower.range = VirtualRange(uncheckedStart: whole.range.start, end: address)
    upper.range = VirtualRange(uncheckedStart: address, end: whole.range.end)
    upper.objectOffset = whole.objectPage(at: address)
    if whole.lineage != nil { upper.lineageOffset = whole.lineagePage(at: address) }
    if whole.isCommitted {
      lower.charge = whole.worstCaseCharge(for: lower.range)
      upper.charge = whole.worstCaseCharge(for: upper.range)
      let pieces = lower.charge + upper.charge
      if pieces > whole.charge {
        guard physical.commit.charge(pieces - whole.charge) else { throw .outOfMemory }
      } else {
        // A region merged from pieces may carry more than its worst case: give the excess back.
        physical.commit.refund(whole.charge - pieces)
      }
    }
    regions[index] = lower
    regions.insert(upper, at: index + 1)
    splitLineageMember(whole, into: lower, upper)
    if let object = whole.object {
      forgetObjectMapping(whole)
      recordObjectMapping(lower)
      recordObjectMapping(upper)
      retainObject(object)
    }
  }

  /// Inserts a region into a free range, keeping the table sorted, and merges it with
  /// neighbours of the same kind and protection.
  func insert(_ region: Region) {
    let index = firstRegion(endingAfter: region.range.start)
    regions.insert(region, at: index)
    recordObjectMapping(region)
    recordLineageMember(region)
    mergeWithNext(index)
    if index > 0 { mergeWithNext(index - 1) }
  }

  /// Merges region `index` with the one after it when they touch and match — for regions
  /// of a memory object, the same object at consecutive offsets.
  ///
  /// Each region is read once and the merged one written once: `regions[index]` is a tree
  /// descent, and a field assignment through it (`regions[index].range = …`) is two more.
  func mergeWithNext(_ index: Int) {
    guard index + 1 < regions.count else { return }
    let first = regions[index]
    let second = regions[index + 1]
    guard first.range.end == second.range.start, first.kind == second.kind,
      first.protection == second.protection, first.isCommitted == second.isCommitted,
      first.maximumProtection == second.maximumProtection,
      first.kind != .guardPage, first.object == second.object,
      first.object == nil || first.objectPage(at: second.range.start) == second.objectOffset
    else { return }
    guard let lineage = first.lineageAfterMerge(with: second) else { return }
    var merged = first
    merged.range = VirtualRange(uncheckedStart: first.range.start, end: second.range.end)
    merged.charge = first.charge + second.charge
    merged.join(lineage)
    regions[index] = merged
    regions.remove(at: index + 1)
    mergeLineageMembers(first, second, into: merged)
    if let object = second.object {
      forgetObjectMapping(first)
      forgetObjectMapping(second)
      recordObjectMapping(merged)
      releaseObject(object)
    }
  }
}
