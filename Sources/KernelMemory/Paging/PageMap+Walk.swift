extension PageMap {
  /// The one page-table walk: visits the slots of `[first, last]` (canonical addresses, both
  /// in the same half) that `walker.target` asks for, in address order, and keeps the tree
  /// right around what the visits change. Every operation on a range or a page — locate, map,
  /// unmap, protect, remap, translate, `forEachMapping`, `unmapAll` and the address space's
  /// range changes — is this walk with its own `PageWalker`.
  ///
  /// What the walk itself does, so no caller repeats it:
  /// - **Missing tables** are skipped (`.presentLeaves`), or fail or are created
  ///   (`.slots(_, missing:)`); the frames one descent needs are taken before any is linked.
  /// - **Shared last-level tables** (fork's, R/W clear in the page-directory entry, process's
  ///   part only) are unshared through the walker before any of their leaves is visited when
  ///   the walker's policy is `.unshareFirst`.
  /// - **Occupancy counts** follow every slot a visit fills or empties, one store per table.
  /// - **Emptied tables** of the process's part (never the kernel's, which every space shares)
  ///   are unlinked, the paging-structure caches owed an invalidation
  ///   (`TLBFlush.invalidateTable`) and their frames queued on `flush`.
  /// - **Invalidations** of every present entry changed are owed on `flush`, which names the
  ///   space; a page table wholly inside the range and fuller than the single-page ceiling is
  ///   unlinked whole when the walker clears every leaf, the space flushed once.
  ///
  /// `tlb` is used only when `flush` fills up mid-walk (`flushNow`); `frames` gives new tables
  /// and takes back what early flushes release.
  ///
  /// Returns `.finished`, or where it stopped; changes made before a stop stay (and are owed
  /// on `flush`), except that a failing descent links nothing.
  func walk<Walker: PageWalker, TLB: TranslationCache, Frames: FrameSource>(
    from first: UInt64, through last: UInt64, _ walker: inout Walker,
    flush: inout TLBFlush, tlb: TLB, frames: inout Frames
  ) -> WalkOutcome {
    precondition(
      first <= last
        && (first < VirtualAddress.lowerHalfEnd) == (last < VirtualAddress.lowerHalfEnd),
      "a walk stays in one half of the address space")
    var reserve = FrameBatch()
    let (target, visitsEmpty) = walker.target.level
    var state = WalkState(
      first: first, last: last, target: target, visitsEmpty: visitsEmpty,
      leavesOnly: walker.target == .presentLeaves)
    let outcome: WalkOutcome
    if first >> PageMap.smallPageShift == last >> PageMap.smallPageShift {
      outcome = walkOnePage(state, &walker, &flush, tlb, &frames, &reserve)
    } else {
      (outcome, _) = walkTable(
        root, level: .pml4, base: 0, parent: nil, &state, &walker, &flush, tlb, &frames, &reserve)
    }
    precondition(reserve.isEmpty, "a walk took more tables than its descent linked")
    return outcome
  }

  /// `walk` over the table at `level` covering `base...`, reached through the entry at
  /// `parent` (nil for the root). Returns how it ended and whether its removals emptied it.
  private func walkTable<Walker: PageWalker, TLB: TranslationCache, Frames: FrameSource>(
    _ table: PhysicalFrame, level: PageTableLevel, base: UInt64, parent: PhysicalAddress?,
    _ state: inout WalkState, _ walker: inout Walker, _ flush: inout TLBFlush, _ tlb: TLB,
    _ frames: inout Frames, _ reserve: inout FrameBatch
  ) -> (WalkOutcome, emptied: Bool) {
    var added = 0
    var removed = 0
    var outcome = WalkOutcome.finished
    for slot in state.slots(of: level, base: base) {
      let slotAddress = table.address.advanced(by: UInt64(slot) &* entrySize)
      let start = state.slotStart(slot, level: level, base: base)
      let descent = step(
        from: PageTableEntry(rawValue: memory.load(slotAddress)), at: slotAddress,
        of: EntryLocation(table: table, index: slot, level: level), start: start, state,
        &walker, &flush, tlb, &frames, &reserve, &added, &removed)
      guard case .table(let pointer, let linked) = descent else {
        if case .stop(let stop) = descent {
          outcome = stop
          break
        }
        continue
      }
      let entry = pointer
      if linked { added += 1 }
      let reclaimable = start < UserLayout.end
      if walker.clearsEveryLeaf, level == .pageDirectory, reclaimable, start >= state.first,
        start &+ (level.entryCoverage &- 1) <= state.last,
        entry.occupancy > TLBFlush.singlePageFlushCeiling
      {
        memory.store(PageTableEntry.empty.rawValue, at: slotAddress)
        removed += 1
        releaseDetachedPageTable(entry.frame, base: start, &walker, &flush, tlb, &frames)
        continue
      }
      let (below, emptied) = walkTable(
        entry.frame, level: level.next!, base: start, parent: slotAddress, &state, &walker,
        &flush, tlb, &frames, &reserve)
      if emptied, reclaimable {
        memory.store(PageTableEntry.empty.rawValue, at: slotAddress)
        removed += 1
        flush.invalidateTable(at: start)
        if flush.needsFlushBeforeMore { flush.flushNow(tlb, returningFramesTo: &frames) }
        flush.release(entry.frame)
      }
      guard below == .finished else {
        outcome = below
        break
      }
    }
    guard let parent, added != 0 || removed != 0 else { return (outcome, false) }
    var pointer = PageTableEntry(rawValue: memory.load(parent))
    precondition(pointer.occupancy + added >= removed, "page-table occupancy count underflow")
    pointer.occupancy += added - removed
    memory.store(pointer.rawValue, at: parent)
    return (outcome, removed > 0 && pointer.occupancy == 0)
  }

  /// `walk` of a range inside one 4 KiB page — the page fault's, `map`'s, `translate`'s —
  /// which meets one slot per level: the same policies as `walkTable`, as a loop down the
  /// levels and one back up for the occupancy counts and emptied tables, instead of a
  /// recursion that sets up a range of slots at every level.
  private func walkOnePage<Walker: PageWalker, TLB: TranslationCache, Frames: FrameSource>(
    _ state: WalkState, _ walker: inout Walker, _ flush: inout TLBFlush, _ tlb: TLB,
    _ frames: inout Frames, _ reserve: inout FrameBatch
  ) -> WalkOutcome {
    let address = state.first
    var path = DescentPath()
    var table = root
    var level = PageTableLevel.pml4
    var outcome = WalkOutcome.finished
    // How the count of the table the descent ended in changes (+1 filled, -1 emptied).
    var delta = 0
    // Whether the descent linked a table (whose slot above then counts one more).
    var created = false
    while true {
      let slot = (address >> level.indexShift) & UInt64(pageTableEntryCount - 1)
      let slotAddress = table.address.advanced(by: slot &* entrySize)
      let start = address & ~(level.entryCoverage &- 1)
      var added = 0
      var removed = 0
      let descent = step(
        from: PageTableEntry(rawValue: memory.load(slotAddress)), at: slotAddress,
        of: EntryLocation(table: table, index: Int(slot), level: level), start: start, state,
        &walker, &flush, tlb, &frames, &reserve, &added, &removed)
      guard case .table(let pointer, let linked) = descent else {
        if case .stop(let stop) = descent { outcome = stop }
        delta = added - removed
        break
      }
      if linked { created = true }
      path.push(DescentStep(pointer: slotAddress, start: start, created: linked))
      table = pointer.frame
      level = level.next!
    }
    // Back up (not at all for a walk that changed no count, a lookup's): each table's count
    // follows its one changed slot; an emptied table of the process's part is unlinked, which
    // empties a slot of the table above.
    guard delta != 0 || created else { return outcome }
    while let step = path.pop() {
      let change = delta
      delta = step.created ? 1 : 0
      guard change != 0 else { continue }
      var pointer = PageTableEntry(rawValue: memory.load(step.pointer))
      precondition(pointer.occupancy + change >= 0, "page-table occupancy count underflow")
      pointer.occupancy += change
      memory.store(pointer.rawValue, at: step.pointer)
      guard change < 0, pointer.occupancy == 0, step.start < UserLayout.end else { continue }
      memory.store(PageTableEntry.empty.rawValue, at: step.pointer)
      delta -= 1
      flush.invalidateTable(at: step.start)
      if flush.needsFlushBeforeMore { flush.flushNow(tlb, returningFramesTo: &frames) }
      flush.release(pointer.frame)
    }
    return outcome
  }

  /// Where a walk goes from one slot: into a table (`linked` when the step created it), past
  /// the slot (a leaf visited, an empty one not asked for, a missing table not created), or
  /// nowhere (the walk stops with that outcome).
  private enum Descent {
    case table(PageTableEntry, linked: Bool)
    case past
    case stop(WalkOutcome)
  }

  /// The step of both walks (`walkTable`, `walkOnePage`) at the slot `location` (at
  /// `slotAddress`, holding `entry`, covering `start...`), written once:
  /// - at the target level, or a huge leaf of a `.presentLeaves` walk: the leaf is visited
  ///   (flushing first when the token is full) and the visit's change applied, counted in
  ///   `added` / `removed`;
  /// - a huge leaf above the target stops the walk (`.hugePageInTheWay`);
  /// - a pointer slot leads into its table: a missing one is skipped, refused (`.notMapped`)
  ///   or created as the walker's target says — the frames for the rest of the descent taken
  ///   at once, so a failing descent links nothing — and a shared last-level table of the
  ///   process's part (never one the step just linked) is unshared first when the walker's
  ///   policy is `.unshareFirst`.
  @inline(__always)
  private func step<Walker: PageWalker, TLB: TranslationCache, Frames: FrameSource>(
    from entry: PageTableEntry, at slotAddress: PhysicalAddress, of location: EntryLocation,
    start: UInt64, _ state: WalkState, _ walker: inout Walker, _ flush: inout TLBFlush,
    _ tlb: TLB, _ frames: inout Frames, _ reserve: inout FrameBatch, _ added: inout Int,
    _ removed: inout Int
  ) -> Descent {
    let level = location.level
    let isHugeLeaf = entry.isPresent && entry.isHuge && level.hugePageSize != nil
    if level == state.target || (isHugeLeaf && state.leavesOnly) {
      // A swap entry (non-present, not empty: Swap/SwapEntry.swift) is a leaf only to the
      // walkers that ask for them (munmap, exit, mremap, swap-in).
      guard
        entry.isPresent || state.visitsEmpty
          || (walker.visitsSwapEntries && level == .pageTable && !entry.isUnused)
      else { return .past }
      if flush.needsFlushBeforeMore { flush.flushNow(tlb, returningFramesTo: &frames) }
      let change = walker.visit(LeafSlot(location: location, entry: entry, start: start), &flush)
      apply(change, to: entry, at: slotAddress, start: start, &added, &removed, &flush)
      return .past
    }
    if isHugeLeaf { return .stop(.hugePageInTheWay(level)) }
    var entry = entry
    var linked = false
    if !entry.isPresent {
      guard case .slots(_, let missing) = walker.target else { return .past }
      guard case .create(let flags) = missing, entry.isUnused else { return .stop(.notMapped) }
      if reserve.isEmpty {
        guard
          takeZeroedFrames(count: level.rawValue - state.target.rawValue, into: &reserve, &frames)
        else { return .stop(.outOfFrames) }
      }
      entry = PageTableEntry(frame: reserve.take(), flags: flags.union(.present))
      memory.store(entry.rawValue, at: slotAddress)
      linked = true
    }
    if !linked, level == .pageDirectory, start < UserLayout.end,
      walker.sharedTables == .unshareFirst, !entry.flags.contains(.writable)
    {
      guard walker.unshareTable(at: slotAddress) else { return .stop(.outOfFrames) }
      entry = PageTableEntry(rawValue: memory.load(slotAddress))
    }
    return .table(entry, linked: linked)
  }

  /// Carries out a visit's `change` to the slot at `address` that held `old`.
  private func apply(
    _ change: LeafChange, to old: PageTableEntry, at address: PhysicalAddress, start: UInt64,
    _ added: inout Int, _ removed: inout Int, _ flush: inout TLBFlush
  ) {
    let new: PageTableEntry
    switch change {
    case .keep: return
    case .write(let entry): new = entry
    case .clear: new = .empty
    }
    guard new != old else { return }
    memory.store(new.rawValue, at: address)
    if old.isUnused { added += 1 }
    if new.isUnused { removed += 1 }
    if old.isPresent { flush.invalidate(start) }
  }

  /// A well-filled page table, already unlinked, goes whole: the space is flushed once (one
  /// CR3 reload instead of an INVLPG per page), then each present leaf is visited — the walker
  /// clears every leaf, so it only decides about frames — and the table is queued for release.
  /// Its entries are not cleared: the frame is zeroed when it next becomes a table.
  private func releaseDetachedPageTable<
    Walker: PageWalker, TLB: TranslationCache, Frames: FrameSource
  >(
    _ table: PhysicalFrame, base: UInt64, _ walker: inout Walker, _ flush: inout TLBFlush,
    _ tlb: TLB, _ frames: inout Frames
  ) {
    flush.invalidateWholeSpace()
    flush.flushNow(tlb, returningFramesTo: &frames)
    for slot in 0..<pageTableEntryCount {
      let entry = PageTableEntry(
        rawValue: memory.load(table.address.advanced(by: UInt64(slot) &* entrySize)))
      guard entry.isPresent || (walker.visitsSwapEntries && !entry.isUnused) else { continue }
      let location = EntryLocation(table: table, index: slot, level: .pageTable)
      let start = base &+ UInt64(slot) &* PageTableLevel.pageTable.entryCoverage
      if flush.needsFlushBeforeMore { flush.flushNow(tlb, returningFramesTo: &frames) }
      let change = walker.visit(LeafSlot(location: location, entry: entry, start: start), &flush)
      precondition(change == .clear, "a walker that clears every leaf kept one")
    }
    if flush.needsFlushBeforeMore { flush.flushNow(tlb, returningFramesTo: &frames) }
    flush.release(table)
  }

  /// Takes `count` zeroed frames into `batch`, or none when memory runs out.
  private func takeZeroedFrames<Frames: FrameSource>(
    count: Int, into batch: inout FrameBatch, _ frames: inout Frames
  ) -> Bool {
    for _ in 0..<count {
      guard let frame = frames.allocateFrame() else {
        batch.releaseAll(to: &frames)
        return false
      }
      memory.zero(frame)
      batch.add(frame)
    }
    return true
  }

  /// log2 of the 4 KiB page size: addresses equal above it are in one page.
  private static var smallPageShift: UInt64 {
    UInt64(PageSize.size4KiB.bytes.trailingZeroBitCount)
  }

  /// The size of one page-table entry.
  private var entrySize: UInt64 { UInt64(MemoryLayout<UInt64>.size) }
}

extension WalkTarget {
  /// The level whose slots are visited (huge leaves above it too, for `.presentLeaves`), and
  /// whether empty slots are.
  var level: (PageTableLevel, visitsEmpty: Bool) {
    switch self {
    case .presentLeaves: return (.pageTable, false)
    case .slots(let level, _): return (level, true)
    }
  }
}

/// The range one walk covers, and the slot arithmetic over it.
struct WalkState {
  let first: UInt64
  let last: UInt64
  /// The walker's target, decoded once: the level visited, whether empty slots are, and
  /// whether huge leaves above it are (`.presentLeaves`).
  let target: PageTableLevel
  let visitsEmpty: Bool
  let leavesOnly: Bool

  /// The slots of a table at `level` covering `base...` that hold part of `[first, last]`.
  func slots(of level: PageTableLevel, base: UInt64) -> ClosedRange<Int> {
    let shift = level.indexShift
    let indexMask = UInt64(pageTableEntryCount - 1)
    guard level != .pml4 else {
      return Int((first >> shift) & indexMask)...Int((last >> shift) & indexMask)
    }
    let tableLast = base &+ (level.entryCoverage &* UInt64(pageTableEntryCount) &- 1)
    let low = first <= base ? 0 : Int((first &- base) >> shift)
    let high = last >= tableLast ? pageTableEntryCount - 1 : Int((last &- base) >> shift)
    return low...high
  }

  /// The canonical first address of `slot` in a table at `level` covering `base...`.
  func slotStart(_ slot: Int, level: PageTableLevel, base: UInt64) -> UInt64 {
    let raw = base &+ UInt64(slot) &* level.entryCoverage
    return level == .pml4 ? VirtualAddress(truncatingToCanonical: raw).value : raw
  }
}

/// One table a single-page walk passed through: the entry that led into it.
struct DescentStep {
  /// Where the entry pointing to the table lives.
  var pointer: PhysicalAddress
  /// The first (canonical) address that entry covers.
  var start: UInt64
  /// Whether the walk linked the table (its slot above counts one more).
  var created: Bool
}

/// The tables a single-page walk passed through below the root (at most three: PDPT, page
/// directory, page table), innermost last.
struct DescentPath {
  private var steps = (
    DescentStep(pointer: PhysicalAddress(unchecked: 0), start: 0, created: false),
    DescentStep(pointer: PhysicalAddress(unchecked: 0), start: 0, created: false),
    DescentStep(pointer: PhysicalAddress(unchecked: 0), start: 0, created: false)
  )
  private var count = 0

  mutating func push(_ step: DescentStep) {
    switch count {
    case 0: steps.0 = step
    case 1: steps.1 = step
    default: steps.2 = step
    }
    count += 1
  }

  mutating func pop() -> DescentStep? {
    guard count > 0 else { return nil }
    count -= 1
    switch count {
    case 0: return steps.0
    case 1: return steps.1
    default: return steps.2
    }
  }
}

/// A `TranslationCache` for walks that can never fill their flush token (one page: a leaf
/// and at most three tables), so never flush mid-walk: any use is a bug.
struct NoMidWalkFlush: TranslationCache {
  func invalidate(_ address: VirtualAddress) {
    preconditionFailure("a single-page walk flushed mid-walk")
  }
  func invalidateAll() { preconditionFailure("a single-page walk flushed mid-walk") }
}
