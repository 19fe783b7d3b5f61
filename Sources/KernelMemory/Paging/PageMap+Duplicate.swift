extension PageMap {
  /// Copies every present 4 KiB leaf that starts inside `range` (a range of the process's
  /// part) into `target`, the same address in another tree over the same memory — what fork
  /// does to page tables. `leaf` gets each present entry and answers what the entry becomes
  /// here (e.g. write-protected) and what `target` gets.
  ///
  /// One page table at a time: the target's table (and its missing parents) is created when
  /// the first leaf it will hold is met, before that leaf is handed to `leaf`, so when frames
  /// run out every leaf handled so far is copied and counted and none after it was seen; the
  /// error is thrown then. Target tables are counted as `map` counts them, and only tables
  /// that receive a leaf are created.
  ///
  /// Source entries changed here are not invalidated: the caller owes the flush (a whole one,
  /// after the walk — cheaper than one `invlpg` per page for anything but a tiny process).
  /// A huge page in the process's part is a kernel bug: user memory is mapped 4 KiB at a time.
  func duplicateLeaves<Frames: FrameSource>(
    in range: VirtualRange, into target: PageMap, frames: inout Frames,
    _ leaf: (PageTableEntry) -> (source: PageTableEntry, copy: PageTableEntry)
  ) throws(PageMapError) {
    precondition(range.end <= UserLayout.end, "duplicateLeaves is for the process's part")
    try duplicate(
      table: root, level: .pml4, base: 0, range: range, into: target, frames: &frames, leaf)
  }

  /// `duplicateLeaves` below the table at `level` that covers `base...`.
  private func duplicate<Frames: FrameSource>(
    table: PhysicalFrame, level: PageTableLevel, base: UInt64, range: VirtualRange,
    into target: PageMap, frames: inout Frames,
    _ leaf: (PageTableEntry) -> (source: PageTableEntry, copy: PageTableEntry)
  ) throws(PageMapError) {
    for slot in firstSlot(of: range, level: level, base: base)..<pageTableEntryCount {
      let start = slotStart(slot, level: level, base: base)
      guard start < range.end else { return }
      let current = entry(at: EntryLocation(table: table, index: slot, level: level))
      guard current.isPresent else { continue }
      precondition(leafSize(of: current, at: level) == nil, "a huge page in the user part")
      if level == .pageDirectory {
        try duplicatePageTable(
          current.frame, base: start, range: range, into: target, frames: &frames, leaf)
      } else {
        try duplicate(
          table: current.frame, level: level.next!, base: start, range: range, into: target,
          frames: &frames, leaf)
      }
    }
  }

  /// `duplicateLeaves` for the leaves of one page table covering `base...` (2 MiB).
  private func duplicatePageTable<Frames: FrameSource>(
    _ table: PhysicalFrame, base: UInt64, range: VirtualRange, into target: PageMap,
    frames: inout Frames,
    _ leaf: (PageTableEntry) -> (source: PageTableEntry, copy: PageTableEntry)
  ) throws(PageMapError) {
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    var copyTable: PhysicalFrame? = nil
    var pointer: EntryLocation? = nil
    var added = 0
    for slot in firstSlot(of: range, level: .pageTable, base: base)..<pageTableEntryCount {
      let start = base &+ UInt64(slot) &* PageTableLevel.pageTable.entryCoverage
      guard start < range.end else { break }
      let sourceAddress = table.address.advanced(by: UInt64(slot) &* entrySize)
      let current = PageTableEntry(rawValue: memory.load(sourceAddress))
      guard current.isPresent else { continue }
      if copyTable == nil {
        let path = try target.path(
          to: VirtualAddress(truncatingToCanonical: start), at: .pageTable, frames: &frames)
        copyTable = path[.pageTable]!.table
        pointer = path[.pageDirectory]!
      }
      // The target slot is empty: `target` gets leaves only from this walk, whose ranges
      // (the regions') are disjoint — not read back, to keep fork at one load a page.
      let copyAddress = copyTable!.address.advanced(by: UInt64(slot) &* entrySize)
      let (source, copy) = leaf(current)
      if source != current { memory.store(source.rawValue, at: sourceAddress) }
      memory.store(copy.rawValue, at: copyAddress)
      added += 1
    }
    // Only the first leaf's walk can throw, before anything was added: count them all once.
    if let pointer {
      var counted = target.entry(at: pointer)
      counted.occupancy += added
      target.write(counted, at: pointer)
    }
  }
}
