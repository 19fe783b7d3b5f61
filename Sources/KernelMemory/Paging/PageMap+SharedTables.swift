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
  /// One walk in `target` per page directory (1 GiB: it creates `target`'s page directory and
  /// the tables above), then a plain loop over that directory's used entries, copied into
  /// `target`'s: no walk per page table, and `target`'s directory is counted once, not once
  /// per entry.
  ///
  /// - Throws: `.outOfFrames` when one of `target`'s upper tables cannot be had; the tables
  ///   linked so far stay linked and counted (the caller tears `target` down).
  func shareAllTables<Frames: FrameSource>(
    into target: PageMap, frames: inout Frames, _ linked: (PhysicalFrame) -> Void
  ) throws(PageMapError) {
    var failure: PageMapError? = nil
    forEachPageDirectoryPointer(in: VirtualRange(uncheckedStart: 0, end: UserLayout.end)) {
      _, directoryPointer, base in
      guard failure == nil else { return }
      do throws(PageMapError) {
        let path = try target.path(
          to: VirtualAddress(truncatingToCanonical: base), at: .pageDirectory, frames: &frames)
        let count = shareDirectory(
          directoryPointer, into: path[.pageDirectory]!.table, in: target, linked)
        let pointerLocation = path[.pageDirectoryPointerTable]!
        var pointer = target.entry(at: pointerLocation)
        pointer.occupancy += count
        target.write(pointer, at: pointerLocation)
      } catch {
        failure = error
      }
    }
    if let failure { throw failure }
  }

  /// `shareAllTables` for the page directory `directoryPointer` reaches: each present page
  /// table it points to is linked read-only into `target`'s (empty) directory `copy` at the
  /// same slot. Returns how many were.
  private func shareDirectory(
    _ directoryPointer: PageTableEntry, into copy: PhysicalFrame, in target: PageMap,
    _ linked: (PhysicalFrame) -> Void
  ) -> Int {
    let readOnly = ~PageTableFlags.writable.rawValue
    var unseen = directoryPointer.occupancy
    var count = 0
    for slot in 0..<pageTableEntryCount {
      guard unseen > 0 else { break }
      let from = EntryLocation(table: directoryPointer.frame, index: slot, level: .pageDirectory)
      let current = entry(at: from)
      guard !current.isUnused else { continue }
      unseen -= 1
      guard current.isPresent, !current.isHuge else { continue }
      let shared = PageTableEntry(rawValue: current.rawValue & readOnly)
      if shared != current { write(shared, at: from) }
      target.write(shared, at: EntryLocation(table: copy, index: slot, level: .pageDirectory))
      count += 1
      linked(current.frame)
    }
    return count
  }
}
