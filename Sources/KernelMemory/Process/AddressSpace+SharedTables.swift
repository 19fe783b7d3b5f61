/// Last-level page tables shared between address spaces by fork (On-demand-fork, Zhao et al.,
/// EuroSys'21): fork links the parent's page tables into the child instead of copying their
/// leaves, and each space takes its own copy of a table only when it first needs to change it.
///
/// **The invariant.**
/// - A page table that several spaces share is reached by one page-directory entry in each,
///   all with R/W clear, so no space can write through it (a write anywhere in its 2 MiB
///   faults, `CR0.WP` makes that true of the kernel's user copies too). Its frame's record is
///   `.sharedPageTable` with `mapCount` = the number of those entries (≥ 2). A table one
///   entry reaches has the plain `.unused` record, whatever that entry's R/W bit says (a
///   clear bit left behind by a sharer that went away is taken over on the next fault).
/// - A frame's `mapCount` counts leaves *per table*: a leaf in a shared table counts once
///   however many spaces reach the table. `anonymousExclusive` means "exactly one leaf, in
///   one table": while that table is shared no one may write through it, and the first space
///   that wants to copies it (below), which clears the bit.
/// - No leaf of a shared table is ever changed: every path that writes a leaf (the page trap,
///   `mprotect`, `munmap`, `madvise`, `mremap`'s move, populate) unshares the tables in its
///   range first (`unshareTable`, `unshareTables(in:)`); teardown only drops its share.
///
/// So the exclusive rule stays sound: a write fault decides on a frame (`mayClaimExclusive`,
/// `breakCopyOnWrite`) only after the faulting space's table is its own, when `mapCount == 1`
/// again means no other leaf anywhere — in a table of its own or shared — reaches the frame.
///
/// **Memory.** A copy's frame comes out of the space's commit: every space is charged its
/// worst-case page tables for its regions (`Region.worstCaseCharge`; the child at fork), and a
/// space never reaches more than one table per 2 MiB, shared or its own, so the copy cannot
/// run out (running out is a broken ledger: a panic).
extension AddressSpace {
  /// The whole of the process's part, where tables are shared.
  static var userPart: VirtualRange { VirtualRange(uncheckedStart: 0, end: UserLayout.end) }

  /// Links every page table of this space into `child` (fork), both entries with R/W clear,
  /// and counts one more sharer of each. O(tables), not O(pages): no leaf is read.
  ///
  /// - Throws: `.outOfFrames` when the child's upper tables cannot be had; the tables linked
  ///   so far stay linked and counted (the caller tears the child down).
  func shareTables(with child: AddressSpace) throws(PageMapError) {
    let table = physical.frameTable
    try pageMap.shareAllTables(into: child.pageMap, frames: &physical.frames) { shared in
      table.recordTableShared(shared)
    }
    // A child that failed keeps 0: its teardown drops the shares without walking a leaf.
    child.residentFrames = residentFrames
    child.swappedPages = swappedPages
  }

  /// Makes the page table that the page-directory entry at `pointerAddress` reaches this
  /// space's alone and writable through that entry again: a copy when others share it, else
  /// the table itself (the last sharer takes it over, nothing copied).
  ///
  /// The copy maps what the table maps, each leaf counted once more: a private frame loses
  /// `anonymousExclusive` and its leaf is write-protected in both tables (the sharers' entries
  /// are read-only, so the shared table changes under no one's writable translation); a page
  /// of a memory object keeps its leaf; the zero page is not counted. The TLB is flushed whole
  /// (a cached entry may be read-only where the table now allows a write, and the paging-
  /// structure caches may hold the old entry).
  ///
  /// - Returns: false when no frame is left for the copy — a broken commit.
  func unshareTable(at pointerAddress: PhysicalAddress) -> Bool {
    let memory = pageMap.memory
    let pointer = PageTableEntry(rawValue: memory.load(pointerAddress))
    let shared = pointer.frame
    let table = physical.frameTable
    var own = pointer.rawValue | PageTableFlags.writable.rawValue
    if table.sharers(ofTable: shared) > 1 {
      guard let copy = physical.allocateFrame() else { return false }
      copyLeaves(of: shared, into: copy)
      table.recordTableShareDropped(shared)
      own = (own & ~PageTableEntry.addressMask) | copy.address.value
    }
    memory.store(own, at: pointerAddress)
    tlb.invalidateAll()
    return true
  }

  /// Unshares (`unshareTable`) every shared page table covering part of `range`: what a path
  /// owes before it changes leaves there.
  func unshareTables(in range: VirtualRange) {
    pageMap.forEachPageTablePointer(in: range) { location, pointer, _ in
      guard !pointer.flags.contains(.writable) else { return }
      guard unshareTable(at: location.address) else {
        preconditionFailure("the commit did not cover the copy of a shared page table")
      }
    }
  }

  /// Drops this space's share of every page table others still share (teardown): its entry
  /// is cleared, the table stays theirs. Returns whether any was dropped.
  func dropSharedTables() -> Bool {
    let table = physical.frameTable
    var dropped = false
    pageMap.forEachPageTablePointer(in: Self.userPart) { location, pointer, _ in
      guard !pointer.flags.contains(.writable), table.sharers(ofTable: pointer.frame) > 1
      else { return }
      table.recordTableShareDropped(pointer.frame)
      pageMap.write(.empty, at: location)
      dropped = true
    }
    return dropped
  }

  /// Copies the 512 entries of page table `source` into the fresh frame `copy`, counting
  /// and write-protecting as `unshareTable` describes.
  private func copyLeaves(of source: PhysicalFrame, into copy: PhysicalFrame) {
    let memory = pageMap.memory
    let table = physical.frameTable
    let zeroPage = zeroPage
    let readOnly = ~PageTableFlags.writable.rawValue
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    for slot in 0..<UInt64(pageTableEntryCount) {
      let sourceAddress = source.address.advanced(by: slot &* entrySize)
      let copyAddress = copy.address.advanced(by: slot &* entrySize)
      let current = PageTableEntry(rawValue: memory.load(sourceAddress))
      guard current.isPresent, current.frame != zeroPage else {
        // A swap entry copied is one more holder of its slot.
        if let entry = current.swapEntry { physical.swap?.slots.retain(entry.slot) }
        memory.store(current.rawValue, at: copyAddress)
        continue
      }
      let frame = current.frame
      if table[frame].state.contains(.shared) {
        table.recordMapping(of: frame)
        memory.store(current.rawValue, at: copyAddress)
        continue
      }
      table.recordCopyOnWriteSharing(of: frame)
      let protected = current.rawValue & readOnly
      if protected != current.rawValue { memory.store(protected, at: sourceAddress) }
      memory.store(protected, at: copyAddress)
    }
  }
}
