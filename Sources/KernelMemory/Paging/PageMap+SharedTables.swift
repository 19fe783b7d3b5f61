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
      table: root, level: .pml4, base: 0, range: range, used: pageTableEntryCount, body)
  }

  /// `forEachPageTablePointer` below the table at `level` covering `base...`, which holds
  /// `used` used entries (its occupancy count; the root's is unknown: all its slots): the scan
  /// stops once it has met them all — a sparse tree costs its used entries, not 512 a table.
  private func visitPointers(
    table: PhysicalFrame, level: PageTableLevel, base: UInt64, range: VirtualRange, used: Int,
    _ body: (EntryLocation, PageTableEntry, UInt64) -> Void
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
      if level == .pageDirectory {
        body(location, current, start)
      } else {
        visitPointers(
          table: current.frame, level: level.next!, base: start, range: range,
          used: current.occupancy, body)
      }
    }
  }

  /// Links the page table `pointer` reaches into `target` (another tree over the same memory)
  /// at the same address `base`, through an entry equal to `pointer` — R/W clear and the
  /// table's occupancy count included — creating `target`'s missing upper tables: one walk of
  /// `target` to the page-directory slot, which also counts the new entry in its table.
  ///
  /// - Throws: `.outOfFrames` when an upper table cannot be had; nothing is linked then.
  func linkSharedTable<Frames: FrameSource>(
    _ pointer: PageTableEntry, at base: UInt64, into target: PageMap, frames: inout Frames
  ) throws(PageMapError) {
    var linker = SharedTableLinker(pointer: pointer)
    var flush = TLBFlush(root: target.root)
    let outcome = target.walk(
      from: base, through: base, &linker, flush: &flush, tlb: NoMidWalkFlush(), frames: &frames)
    // The slot was empty (nothing owed): `target` is new and gets tables only from this sweep.
    flush.finishEmpty()
    if let error = outcome.error { throw error }
    precondition(linker.linked, "a shared table linked over a used slot")
  }
}

/// The walker of `linkSharedTable`: writes the shared table's pointer into the empty
/// page-directory slot it is shown.
struct SharedTableLinker: PageWalker {
  let pointer: PageTableEntry
  var target: WalkTarget { .slots(.pageDirectory, missing: .create(.intermediate)) }
  /// Whether the slot was empty and got the pointer.
  var linked = false

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.entry.isUnused else { return .keep }
    linked = true
    return .write(pointer)
  }
}
