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
  ///   leaf, and the shared frame stays counted to whichever space keeps it. A copy needs no
  ///   table: its leaf exists already (when page tables come to be shared at fork, the copy
  ///   of a shared table will come out of each space's own table share of its charge, which
  ///   already covers every table its range can need).
  ///   Shared memory is not charged again: its object was charged once; the child's regions
  ///   of it are charged their own tables (`Region.worstCaseCharge`).
  /// - A copy of every leaf. A private page's frame gets one more mapping, loses
  ///   `anonymousExclusive`, and both leaves become read-only: the next write by either side
  ///   faults and copies or reuses. The zero page is copied as it is (read-only, uncounted).
  ///   A page of shared memory is mapped by both, writable as its region says.
  ///
  /// This space's TLB is flushed whole afterwards (its leaves lost write permission): one
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
    child.regions = regions
    for object in objectsReferred(by: 0..<regions.count) { retainObject(object) }
    child.heapStart = heapStart
    child.heapBreak = heapBreak
    do throws(PageMapError) {
      try copyLeaves(into: child)
    } catch {
      invalidateWholeSpace()
      child.tearDown()
      throw .outOfMemory
    }
    invalidateWholeSpace()
    return child
  }

  /// Copies every leaf of every region into `child`'s tables, region by region, sharing
  /// frames as `fork` describes.
  func copyLeaves(into child: AddressSpace) throws(PageMapError) {
    let table = physical.frameTable
    let zeroPage = zeroPage
    let readOnly = ~PageTableFlags.writable.rawValue
    for region in regions where region.kind != .guardPage {
      let shared = region.kind.isShared
      var resident: UInt64 = 0  // counted here, added once: fork touches as little as it can
      defer { child.residentFrames += resident }
      try pageMap.duplicateLeaves(
        in: region.range, into: child.pageMap, frames: &physical.frames
      ) { entry in
        let frame = entry.frame
        if frame == zeroPage { return (entry, entry) }
        resident += 1
        if shared {
          table.recordMapping(of: frame)
          return (entry, entry)
        }
        table.recordCopyOnWriteSharing(of: frame)
        let protected = PageTableEntry(rawValue: entry.rawValue & readOnly)
        return (protected, protected)
      }
    }
  }

  /// Forgets every cached translation of this space (its TLB entries), at once.
  func invalidateWholeSpace() {
    tlb.invalidateAddressSpace(root: pageMap.root)
  }
}
