extension AddressSpace {
  /// A copy-on-write duplicate of this space in `pageMap` — a fresh page map already sharing
  /// the kernel's part, made by the caller — over the same physical context, with `tlb`
  /// copied (the kernel's `HardwareTLB` has no state): what `fork` does to memory.
  ///
  /// - Throws: `.outOfMemory` when the child's commit cannot be charged or a frame for its
  ///   page tables is missing. Everything is given back then, `pageMap`'s root frame
  ///   included, and this space is unchanged but for benign write-protection (its pages read
  ///   the same; a write fault reclaims each for this space alone, see `breakCopyOnWrite`).
  public func fork(into pageMap: PageMap<Memory>) throws(AddressSpaceError) -> AddressSpace {
    try fork(into: pageMap, tlb: tlb)
  }

  /// `fork(into:)` with the child's own `tlb` (host tests give each space its own MMU).
  ///
  /// What the child gets:
  /// - The same regions, heap and break. **Its regions are charged to the ledger now**, each
  ///   what the parent's is (SerenityOS's rule): after fork both spaces may write every
  ///   private page, each needing its own frame, and both charges together cover that, so a
  ///   copy-on-write fault never runs out of memory. The parent's charge still covers its
  ///   own copies: each space's charge is one frame per page plus its tables, and a space
  ///   never holds more than one frame per page — a copy replaces the shared frame in its
  ///   leaf, and the shared frame stays counted to whichever space keeps it. The copy of a
  ///   shared page table comes out of each space's own table share of its charge, which
  ///   covers every table its range can need (a space reaches one table per 2 MiB, shared or
  ///   its own), so an unshare cannot fail either.
  ///   Shared memory is not charged again: its object was charged once; the child's regions
  ///   of it are charged their own tables (`Region.worstCaseCharge`).
  /// - The same page tables: every last-level table is linked into the child too, both
  ///   page-directory entries with R/W clear, and counted one more sharer
  ///   (`shareTables(with:)`; the invariant is in AddressSpace+SharedTables.swift). No leaf is
  ///   read or written: fork costs O(tables). The first fault (or `mprotect`, `munmap`, …) in
  ///   a table's 2 MiB gives that space its own copy, each private frame then counted twice
  ///   and write-protected; the next write by either side copies or reuses the page.
  ///
  /// This space's TLB is flushed whole afterwards (its tables lost write permission): one
  /// flush instead of an `invlpg` per page.
  public func fork(
    into pageMap: PageMap<Memory>, tlb childTLB: TLB
  ) throws(AddressSpaceError) -> AddressSpace {
    guard physical.commit.charge(regions.totalCharge) else {
      physical.releaseFrame(pageMap.root)
      throw .outOfMemory
    }
    let child = AddressSpace(
      pageMap: pageMap, tlb: childTLB, physical: physical, regionLimit: regionLimit)
    prepareLineagesForFork()
    child.regions = regions
    child.attachObjects()
    child.joinParentLineages()
    child.heapStart = heapStart
    child.heapBreak = heapBreak
    do throws(PageMapError) {
      try shareTables(with: child)
    } catch {
      invalidateWholeSpace()
      child.tearDown()
      throw .outOfMemory
    }
    invalidateWholeSpace()
    return child
  }

  /// Forgets every cached translation of this space (its TLB entries), at once.
  func invalidateWholeSpace() {
    tlb.invalidateAddressSpace(root: pageMap.root)
  }
}
