extension AddressSpace {
  /// The regions that break the commit invariant, for tests and debug checks: a region with a
  /// backed page (a frame or the zero page), or one whose protection lets the process touch
  /// it, must be charged at least `CommitLedger.worstCaseFrames(for:)` of its range — its pages
  /// and every table they can need — so that no demand fault, and no page table a move or a
  /// fault creates, ever finds memory exhausted. Empty when the space is sound.
  ///
  /// A region of a memory object needs only its tables here (`Region.worstCaseCharge`): the
  /// object's pages are charged once, with the object. The other half of the invariant is
  /// the ledger's: `CommitLedger.committed` equals every space's `committedFrames` plus
  /// `PhysicalMemoryContext.objects.totalCharge` (one space and its objects alone:
  /// `committedFrames + objects.totalCharge`).
  ///
  /// O(regions + mappings): a check, never called on a hot path.
  public func commitAudit() -> [Region] {
    var broken: [Region] = []
    for index in 0..<regions.count {
      let region = regions[index]
      let needed = region.worstCaseCharge(for: region.range)
      if region.isCommitted {
        if region.charge < needed { broken.append(region) }
        continue
      }
      var backed = false
      pageMap.forEachMapping(in: region.range) { _ in backed = true }
      let touchable = region.kind != .guardPage && !region.protection.isEmpty
      if backed || touchable { broken.append(region) }
    }
    return broken
  }
}
