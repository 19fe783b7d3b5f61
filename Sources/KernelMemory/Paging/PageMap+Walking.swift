extension PageMap {
  /// Calls `body` with every present leaf that starts inside `range`, in address order, skipping
  /// whole subtrees whose entries are not present — so a sparse terabyte costs only its tables.
  public func forEachMapping(in range: VirtualRange, _ body: (Mapping) -> Void) {
    guard range.end > range.start else { return }
    withoutActuallyEscaping(body) { body in
      var visitor = MappingVisitor(start: range.start, body: body)
      var flush = TLBFlush(root: root)
      var none = NoFrames()
      _ = walk(
        from: range.start, through: range.end - 1, &visitor, flush: &flush,
        tlb: NoMidWalkFlush(), frames: &none)
      flush.finishEmpty()
    }
  }

  /// The first slot of a table at `level` covering `base...` that can hold part of `range`.
  func firstSlot(of range: VirtualRange, level: PageTableLevel, base: UInt64) -> Int {
    if level == .pml4 { return VirtualAddress(truncatingToCanonical: range.start).index(at: level) }
    guard range.start > base else { return 0 }
    return Int(min((range.start - base) / level.entryCoverage, UInt64(pageTableEntryCount)))
  }

  /// The canonical first address covered by `slot` of a table at `level` that starts at `base`.
  func slotStart(_ slot: Int, level: PageTableLevel, base: UInt64) -> UInt64 {
    let raw = base &+ UInt64(slot) &* level.entryCoverage
    return level == .pml4 ? VirtualAddress(truncatingToCanonical: raw).value : raw
  }

  func leafSize(of entry: PageTableEntry, at level: PageTableLevel) -> PageSize? {
    if level == .pageTable { return .size4KiB }
    return entry.isHuge ? level.hugePageSize : nil
  }

  /// Removes every present leaf that starts inside `range` (a range of the process's part), and
  /// every table that leaves empty, in one walk — what `munmap` needs, without a separate
  /// lookup walk per page as `unmap` would take.
  ///
  /// `leaf` sees each mapping as it is cleared and answers whether its frames go back to
  /// `frames` (a shared zero page answers false); they do only after the TLB has forgotten the
  /// translation, as do emptied tables (see `walk`: a well-filled page table inside the range
  /// goes whole, with one flush of the space). So nothing is reused while the CPU may still
  /// cache it. Shared tables are read through: the caller unshares first.
  public func unmapAll<TLB: TranslationCache, Frames: FrameSource>(
    in range: VirtualRange, _ tlb: TLB, frames: inout Frames, leaf: (Mapping) -> Bool
  ) {
    precondition(range.end <= UserLayout.end, "unmapAll is for the process's part")
    guard range.end > range.start else { return }
    withoutActuallyEscaping(leaf) { leaf in
      var remover = LeafRemover(start: range.start, decide: leaf)
      var flush = TLBFlush(root: root)
      _ = walk(
        from: range.start, through: range.end - 1, &remover, flush: &flush, tlb: tlb,
        frames: &frames)
      flush.flush(tlb, returningFramesTo: &frames)
    }
  }

  /// Up to this many pages of one page table are invalidated one by one (INVLPG); a fuller
  /// table that is removed whole gets one flush of the entire space instead
  /// (`TLBFlush.singlePageFlushCeiling`, Linux's `tlb_single_page_flush_ceiling`). Under
  /// QEMU's TCG an INVLPG costs some 100-250 ns of host time, so for a 64 MiB `munmap` the
  /// full flushes win clearly.
  public static var singlePageFlushCeiling: Int { TLBFlush.singlePageFlushCeiling }

  /// Removes every mapping and every table of the process's part, leaving a PML4 whose kernel
  /// part is untouched.
  ///
  /// `leaf` receives each mapping after the TLB has forgotten it and answers whether its frame
  /// goes back to `frames` (a shared zero page does not). Each PML4 slot is unlinked and
  /// invalidated before anything under it is released.
  public func tearDownUserPart<TLB: TranslationCache, Frames: FrameSource>(
    _ tlb: TLB, frames: inout Frames, leaf: (Mapping) -> Bool
  ) {
    for slot in 0..<PageMap.firstKernelSlot {
      let location = EntryLocation(table: root, index: slot, level: .pml4)
      let top = entry(at: location)
      guard top.isPresent else { continue }
      write(.empty, at: location)
      tlb.invalidateAll()
      let base = UInt64(slot) &* PageTableLevel.pml4.entryCoverage
      release(
        table: top.frame, level: .pageDirectoryPointerTable, base: base, used: top.occupancy,
        frames: &frames, leaf)
    }
  }

  /// Releases the table at `level` covering `base...` and everything below it. `used` is its
  /// occupancy count (a count too high only costs a longer scan): the scan stops once it has
  /// met that many used entries, so a sparse table costs its entries, not 512 loads.
  private func release<Frames: FrameSource>(
    table: PhysicalFrame, level: PageTableLevel, base: UInt64, used: Int, frames: inout Frames,
    _ leaf: (Mapping) -> Bool
  ) {
    var unseen = used
    for slot in 0..<pageTableEntryCount {
      guard unseen > 0 else { break }
      let current = entry(at: EntryLocation(table: table, index: slot, level: level))
      guard !current.isUnused else { continue }
      unseen -= 1
      guard current.isPresent else { continue }
      let start = base &+ UInt64(slot) &* level.entryCoverage
      if let size = leafSize(of: current, at: level) {
        let mapping = Mapping(
          page: VirtualAddress(truncatingToCanonical: start),
          frameAddress: current.hugePageAddress(size), size: size, flags: current.flags)
        if leaf(mapping) { releaseFrames(of: mapping, to: &frames) }
      } else {
        release(
          table: current.frame, level: level.next!, base: start, used: current.occupancy,
          frames: &frames, leaf)
      }
    }
    frames.releaseFrame(table)
  }

  /// Returns every 4 KiB frame of a mapping (512 for a 2 MiB page).
  private func releaseFrames<Frames: FrameSource>(of mapping: Mapping, to frames: inout Frames) {
    let first = mapping.frameAddress.frame
    for offset in 0..<mapping.size.frameCount { frames.releaseFrame(first.advanced(by: offset)) }
  }

  /// Checks every table of the process's part: each pointer entry's occupancy count equals the
  /// number of used entries in the table it points to. For tests and kernel self-checks.
  public func occupancyCountsAreConsistent() -> Bool {
    for slot in 0..<PageMap.firstKernelSlot {
      let top = entry(at: EntryLocation(table: root, index: slot, level: .pml4))
      guard top.isPresent else { continue }
      guard countsAreConsistent(below: top, level: .pageDirectoryPointerTable) else { return false }
    }
    return true
  }

  private func countsAreConsistent(below pointer: PageTableEntry, level: PageTableLevel) -> Bool {
    var used = 0
    for slot in 0..<pageTableEntryCount {
      let current = entry(at: EntryLocation(table: pointer.frame, index: slot, level: level))
      guard !current.isUnused else { continue }
      used += 1
      if current.isPresent, leafSize(of: current, at: level) == nil,
        !countsAreConsistent(below: current, level: level.next!)
      {
        return false
      }
    }
    return used == pointer.occupancy
  }
}

/// The walker of `forEachMapping`: shows `body` each present leaf starting at or after `start`
/// (a huge page reaching back before the range is not the range's).
struct MappingVisitor: PageWalker {
  let start: UInt64
  let body: (Mapping) -> Void
  var target: WalkTarget { .presentLeaves }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    if slot.start >= start { body(slot.mapping) }
    return .keep
  }
}

/// The walker of `unmapAll`: clears each present leaf starting at or after `start`, queuing its
/// frames for release when `decide` says they go.
struct LeafRemover: PageWalker {
  let start: UInt64
  let decide: (Mapping) -> Bool
  var target: WalkTarget { .presentLeaves }
  var clearsEveryLeaf: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= start else { return .keep }  // a huge page that starts before
    let mapping = slot.mapping
    if decide(mapping) {
      flush.release(mapping.frameAddress.frame, count: Int(mapping.size.frameCount))
    }
    return .clear
  }
}
