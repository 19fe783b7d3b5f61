extension PageMap {
  /// Calls `body` with the location and value of every present page-directory entry of the
  /// process's part that points to a page table covering part of `range`, in address order,
  /// with the first address the table covers. `body` may rewrite the entry it is given (not
  /// the tree's shape above it).
  ///
  /// What fork shares, teardown drops and an unshare sweep looks at: one visit per 2 MiB,
  /// never per page.
  func forEachPageTablePointer(
    in range: VirtualRange, _ body: (EntryLocation, PageTableEntry, UInt64) -> Void
  ) {
    precondition(range.end <= UserLayout.end, "page tables are shared in the process's part")
    visitPointers(
      table: root, level: .pml4, base: 0, range: range, used: pageTableEntryCount,
      reaching: .pageDirectory, body)
  }

  /// `forEachPageTablePointer` one level up: every present page-directory-pointer-table entry
  /// of the process's part that points to a page directory covering part of `range`.
  func forEachPageDirectoryPointer(
    in range: VirtualRange, _ body: (EntryLocation, PageTableEntry, UInt64) -> Void
  ) {
    precondition(range.end <= UserLayout.end, "page tables are shared in the process's part")
    visitPointers(
      table: root, level: .pml4, base: 0, range: range, used: pageTableEntryCount,
      reaching: .pageDirectoryPointerTable, body)
  }

  /// The visit below the table at `level` covering `base...`, which holds `used` used entries
  /// (its occupancy count; the root's is unknown: all its slots), calling `body` for the
  /// entries of the tables at level `deepest`: the scan stops once it has met them all — a
  /// sparse tree costs its used entries, not 512 a table.
  private func visitPointers(
    table: PhysicalFrame, level: PageTableLevel, base: UInt64, range: VirtualRange, used: Int,
    reaching deepest: PageTableLevel, _ body: (EntryLocation, PageTableEntry, UInt64) -> Void
  ) {
    var unseen = used
    for slot in firstSlot(of: range, level: level, base: base)..<pageTableEntryCount {
      guard unseen > 0 else { return }
      let start = slotStart(slot, level: level, base: base)
      guard start < range.end else { return }
      let location = EntryLocation(table: table, index: slot, level: level)
      let current = entry(at: location)
      guard !current.isUnused else { continue }
      unseen -= 1
      guard current.isPresent, !current.isHuge else { continue }
      if level == deepest {
        body(location, current, start)
      } else {
        visitPointers(
          table: current.frame, level: level.next!, base: start, range: range,
          used: current.occupancy, reaching: deepest, body)
      }
    }
  }

  /// Links every page table of the process's part into `target` — a new tree over the same
  /// memory whose process's part is still empty — at the same addresses, through entries with
  /// R/W clear (this tree's entries lose R/W too), occupancy counts included; calls `linked`
  /// with each table's frame. What fork does to page tables.
  ///
  /// One walk of `target` per page directory (1 GiB: it creates `target`'s page directory and
  /// the tables above, and counts each linked entry), visiting the span of that directory's
  /// slots that point to page tables: no walk per page table.
  ///
  /// - Throws: `.outOfFrames` when one of `target`'s upper tables cannot be had; the tables
  ///   linked so far stay linked and counted (the caller tears `target` down).
  func shareAllTables<Frames: FrameSource>(
    into target: PageMap, frames: inout Frames, _ linked: (PhysicalFrame) -> Void
  ) throws(PageMapError) {
    var failure: PageMapError? = nil
    forEachPageDirectoryPointer(in: VirtualRange(uncheckedStart: 0, end: UserLayout.end)) {
      _, directoryPointer, base in
      guard failure == nil, let slots = pageTableSlots(directoryPointer) else { return }
      var linker = SharedDirectoryLinker(source: self, directory: directoryPointer.frame)
      var flush = TLBFlush(root: target.root)
      let tableSpan = UInt64(PageSize.size2MiB.rawValue)
      let first = base + UInt64(slots.lowerBound) * tableSpan
      let last = base + UInt64(slots.upperBound + 1) * tableSpan - 1
      let outcome = target.walk(
        from: first, through: last, &linker, flush: &flush, tlb: NoMidWalkFlush(),
        frames: &frames)
      // Only empty slots were written (nothing owed): `target` is new.
      flush.finishEmpty()
      // The walk takes its frames before it writes a slot: it failed whole or linked all.
      if let error = outcome.error {
        failure = error
        return
      }
      shareDirectory(directoryPointer, linked)
    }
    if let failure { throw failure }
  }

  /// The first and last slots of the page directory `directoryPointer` reaches that point
  /// to a page table, nil when none does: the walk in the new tree visits only those slots
  /// and the ones between (a small process uses a few slots of each gibibyte).
  private func pageTableSlots(_ directoryPointer: PageTableEntry) -> ClosedRange<Int>? {
    var unseen = directoryPointer.occupancy
    var firstSlot: Int? = nil
    var lastSlot = 0
    for slot in 0..<pageTableEntryCount {
      guard unseen > 0 else { break }
      let current = entry(
        at: EntryLocation(table: directoryPointer.frame, index: slot, level: .pageDirectory))
      guard !current.isUnused else { continue }
      unseen -= 1
      guard current.isPresent, !current.isHuge else { continue }
      if firstSlot == nil { firstSlot = slot }
      lastSlot = slot
    }
    return firstSlot.map { $0...lastSlot }
  }

  /// `shareAllTables`' side of this tree for the page directory `directoryPointer` reaches,
  /// once `target` links its tables: each present page table it points to loses R/W in its
  /// entry and is passed to `linked`.
  private func shareDirectory(
    _ directoryPointer: PageTableEntry, _ linked: (PhysicalFrame) -> Void
  ) {
    var unseen = directoryPointer.occupancy
    for slot in 0..<pageTableEntryCount {
      guard unseen > 0 else { break }
      let from = EntryLocation(table: directoryPointer.frame, index: slot, level: .pageDirectory)
      let current = entry(at: from)
      guard !current.isUnused else { continue }
      unseen -= 1
      guard current.isPresent, !current.isHuge else { continue }
      let shared = current.sharedReadOnly
      if shared != current { write(shared, at: from) }
      linked(current.frame)
    }
  }
}

/// The walker of `shareAllTables` in the new tree: each empty page-directory slot whose twin
/// in the source directory points to a page table gets the twin's entry with R/W clear.
struct SharedDirectoryLinker<Memory: PhysicalMemoryAccess>: PageWalker {
  /// The tree fork copies from, and the page directory of the 1 GiB being walked.
  let source: PageMap<Memory>
  let directory: PhysicalFrame
  var target: WalkTarget { .slots(.pageDirectory, missing: .create(.intermediate)) }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    let twin = source.entry(
      at: EntryLocation(table: directory, index: slot.location.index, level: .pageDirectory))
    guard slot.entry.isUnused, twin.isPresent, !twin.isHuge else { return .keep }
    return .write(twin.sharedReadOnly)
  }
}

extension PageTableEntry {
  /// A page-directory entry as fork shares its page table: R/W clear (a write through it
  /// faults, and the fault unshares the table).
  var sharedReadOnly: PageTableEntry {
    PageTableEntry(rawValue: rawValue & ~PageTableFlags.writable.rawValue)
  }
}
