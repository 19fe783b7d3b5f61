extension PageMap {
  /// Calls `body` with every present leaf that starts inside `range`, in address order, skipping
  /// whole subtrees whose entries are not present — so a sparse terabyte costs only its tables.
  public func forEachMapping(in range: VirtualRange, _ body: (Mapping) -> Void) {
    visit(table: root, level: .pml4, base: 0, range: range, body)
  }

  private func visit(
    table: PhysicalFrame, level: PageTableLevel, base: UInt64, range: VirtualRange,
    _ body: (Mapping) -> Void
  ) {
    for slot in firstSlot(of: range, level: level, base: base)..<pageTableEntryCount {
      let start = slotStart(slot, level: level, base: base)
      guard start < range.end else { return }
      let address = VirtualAddress(truncatingToCanonical: start)
      let current = entry(at: EntryLocation(table: table, index: slot, level: level))
      guard current.isPresent else { continue }
      if let size = leafSize(of: current, at: level) {
        if start >= range.start {
          body(
            Mapping(
              page: address, frameAddress: current.hugePageAddress(size), size: size,
              flags: current.flags))
        }
      } else {
        visit(table: current.frame, level: level.next!, base: start, range: range, body)
      }
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
  /// every table that leaves empty, in one pass over the tables — what `munmap` needs, without
  /// a separate lookup walk per page as `unmap` would take.
  ///
  /// Each leaf is cleared and its translation invalidated before `leaf` sees it and before its
  /// frames go back to `frames` (when `leaf` answers true; a shared zero page answers false);
  /// each emptied table is unlinked and invalidated (INVLPG also drops the paging-structure
  /// caches) before it is returned. A page table inside the range holding more than
  /// `singlePageFlushCeiling` entries is unlinked whole and the TLB flushed once. So nothing is
  /// reused while the CPU may still cache it.
  public func unmapAll<TLB: TranslationCache, Frames: FrameSource>(
    in range: VirtualRange, _ tlb: TLB, frames: inout Frames, leaf: (Mapping) -> Bool
  ) {
    precondition(range.end <= UserLayout.end, "unmapAll is for the process's part")
    let firstKernel = PageMap.firstKernelSlot
    for slot in firstSlot(of: range, level: .pml4, base: 0)..<firstKernel {
      let start = slotStart(slot, level: .pml4, base: 0)
      guard start < range.end else { return }
      let location = EntryLocation(table: root, index: slot, level: .pml4)
      let top = entry(at: location)
      guard top.isPresent, !top.isHuge else { continue }
      let emptied = clear(
        below: location, level: .pageDirectoryPointerTable, base: start, range: range, tlb,
        frames: &frames, leaf)
      if emptied {
        write(.empty, at: location)
        tlb.invalidate(VirtualAddress(truncatingToCanonical: start))
        frames.releaseFrame(top.frame)
      }
    }
  }

  /// Clears the leaves starting inside `range` in the table that the entry at `parent` points
  /// to (a table at `level` covering `base...`), recursing into tables below; keeps the table's
  /// occupancy count in `parent`. Returns whether the table is now empty.
  private func clear<TLB: TranslationCache, Frames: FrameSource>(
    below parent: EntryLocation, level: PageTableLevel, base: UInt64, range: VirtualRange,
    _ tlb: TLB, frames: inout Frames, _ leaf: (Mapping) -> Bool
  ) -> Bool {
    let table = entry(at: parent).frame
    var removed = 0
    for slot in firstSlot(of: range, level: level, base: base)..<pageTableEntryCount {
      let start = slotStart(slot, level: level, base: base)
      guard start < range.end else { break }
      let location = EntryLocation(table: table, index: slot, level: level)
      let current = entry(at: location)
      guard current.isPresent else { continue }
      let address = VirtualAddress(truncatingToCanonical: start)
      if let size = leafSize(of: current, at: level) {
        guard start >= range.start else { continue }  // a huge page that starts before
        write(.empty, at: location)
        removed += 1
        tlb.invalidate(address)
        let mapping = Mapping(
          page: address, frameAddress: current.hugePageAddress(size), size: size,
          flags: current.flags)
        if leaf(mapping) { releaseFrames(of: mapping, to: &frames) }
      } else if level == .pageDirectory, start >= range.start,
        start &+ level.entryCoverage <= range.end,
        current.occupancy > PageMap.singlePageFlushCeiling
      {
        // A whole, well-filled page table goes: unlink it, forget every translation at once
        // (one CR3 reload instead of an INVLPG per page), then give back its leaves' frames
        // and the table itself, which nothing can reach any more.
        write(.empty, at: location)
        removed += 1
        tlb.invalidateAll()
        releaseDetachedPageTable(current.frame, base: start, frames: &frames, leaf)
      } else if clear(
        below: location, level: level.next!, base: start, range: range, tlb, frames: &frames,
        leaf)
      {
        write(.empty, at: location)
        removed += 1
        tlb.invalidate(address)
        frames.releaseFrame(current.frame)
      }
    }
    var pointer = entry(at: parent)
    precondition(pointer.occupancy >= removed, "page-table occupancy count underflow")
    pointer.occupancy -= removed
    write(pointer, at: parent)
    return pointer.occupancy == 0
  }

  /// Up to this many pages of one page table are invalidated one by one (INVLPG); a fuller
  /// table that is removed whole gets one flush of the entire TLB instead. Linux's figure
  /// (`tlb_single_page_flush_ceiling`, 33 in arch/x86/mm/tlb.c), measured by its authors as the
  /// point where individual invalidations stop paying; under QEMU's TCG an INVLPG costs some
  /// 100-250 ns of host time, so for a 64 MiB `munmap` the full flushes win clearly.
  public static var singlePageFlushCeiling: Int { 33 }

  /// Gives back every frame a page table that is already unlinked and flushed maps (those
  /// `leaf` accepts), then the table. Its entries are not cleared: the frame is zeroed when
  /// it next becomes a table.
  private func releaseDetachedPageTable<Frames: FrameSource>(
    _ table: PhysicalFrame, base: UInt64, frames: inout Frames, _ leaf: (Mapping) -> Bool
  ) {
    for slot in 0..<pageTableEntryCount {
      let current = entry(at: EntryLocation(table: table, index: slot, level: .pageTable))
      guard current.isPresent else { continue }
      let mapping = Mapping(
        page: VirtualAddress(
          truncatingToCanonical: base &+ UInt64(slot) &* PageTableLevel.pageTable.entryCoverage),
        frameAddress: current.address, size: .size4KiB, flags: current.flags)
      if leaf(mapping) { frames.releaseFrame(mapping.frameAddress.frame) }
    }
    frames.releaseFrame(table)
  }

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
