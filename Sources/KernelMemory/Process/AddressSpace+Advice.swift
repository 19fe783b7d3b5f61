extension AddressSpace {
  /// Drops this space's mappings of every page in `range` — `MADV_DONTNEED` (`advise` is the
  /// whole of `madvise`).
  ///
  /// The regions, their protection and their commit stay: the next touch of a dropped
  /// private page faults in a fresh zeroed frame (or the zero page), so it reads back as
  /// zero; a page of shared memory stays its object's and comes back as it was. Backed pages
  /// return their frames at once and emptied page tables are reclaimed, as on `munmap`. Pages
  /// that are reserved but not backed are left alone.
  ///
  /// - Throws: `.notReserved` when part of the range is not reserved (Linux's `ENOMEM`); the
  ///   reserved parts are still dropped, as Linux does.
  public func discard(
    _ range: VirtualRange
  ) throws(AddressSpaceError) {
    guard range.end <= UserLayout.end else { throw .outsideUserSpace }
    dropMappings(in: range)
    guard isFullyReserved(range) else { throw .notReserved }
  }

  /// Whether every page of `range` is reserved (guard pages excluded): the check `madvise`
  /// and `mincore`-like calls make.
  public func isReserved(_ range: VirtualRange) -> Bool {
    isFullyReserved(range)
  }

  /// Applies `advice` to every mapped part of `range` — `madvise`, walked as Linux walks it.
  ///
  /// Region by region from the start: an unmapped part (or a guard page) is skipped and
  /// reported at the end as `.notReserved` (`ENOMEM`); a region the advice does not apply to
  /// stops the walk with its error (`.notApplicable`), the regions before it already advised.
  /// The regions themselves and their commit never change.
  public func advise(
    _ range: VirtualRange, _ advice: Advice
  ) throws(AddressSpaceError) {
    guard range.end <= UserLayout.end else { throw .outsideUserSpace }
    var cursor = range.start
    var skippedHole = false
    var index = firstRegion(endingAfter: cursor)
    while cursor < range.end {
      guard index < regions.count, regions[index].range.start < range.end else {
        skippedHole = true
        break
      }
      let region = regions[index]
      index += 1
      if region.range.start > cursor { skippedHole = true }
      if region.kind == .guardPage {
        skippedHole = true
        cursor = region.range.end
        continue
      }
      let part = VirtualRange(
        uncheckedStart: max(cursor, region.range.start), end: min(range.end, region.range.end))
      try apply(advice, to: part, of: region)
      cursor = part.end
    }
    guard !skippedHole else { throw .notReserved }
  }

  /// `advise` for the part of one region.
  func apply(
    _ advice: Advice, to part: VirtualRange, of region: Region
  ) throws(AddressSpaceError) {
    let shared = region.kind.isShared
    switch advice {
    case .dontNeed:
      // Private pages read back as zeros; shared ones only leave this space's tables — the
      // object keeps them, so the next touch maps the same contents again (as Linux does).
      dropMappings(in: part)
    case .free:
      guard !shared else { throw .notApplicable }
      dropMappings(in: part)
    case .remove:
      guard shared, let object = region.object else { throw .notApplicable }
      // The pages leave every space's tables (this one's included), then the object: every
      // process that maps them reads zeros next, as on Linux (shmem's hole punch).
      let offsets = region.objectPage(at: part.start)..<region.objectPage(at: part.end)
      physical.unmapObjectPages(object, offsets: offsets)
      removeObjectPages(object, offsets: offsets)
    case .populate(let access):
      try populate(part, for: access, protection: region.protection)
    case .privateOnly:
      guard !shared else { throw .notApplicable }
    case .none:
      break
    }
  }

  /// Faults in every page of `part` as an `access` would — `MADV_POPULATE_READ/WRITE`. Linux
  /// asks for the protection bit itself (`VM_READ` / `VM_WRITE`): a write-only mapping cannot
  /// be populated for reading, although the CPU lets a process read it.
  func populate(
    _ part: VirtualRange, for access: AccessKind, protection: Protection
  ) throws(AddressSpaceError) {
    let needed: Protection = access == .write ? .write : .read
    guard protection.contains(needed) else { throw .notApplicable }
    var errorCode: PageFaultErrorCode = [.user]
    if access == .write {
      errorCode.insert(.write)
      // A leaf of a table fork shares may read writable while no write can go through it:
      // its own copy first, whose private leaves are read-only, so the loop below sees them.
      unshareTables(in: part)
    }
    var page = part.start
    while page < part.end {
      let current = pageMap.mapping(containing: VirtualAddress(canonical: page))
      // A page on swap stays there: reading it is the kernel's I/O, which a core call never
      // does (the next touch reads it).
      if current == nil, swapEntry(at: page) != nil {
        page += PageSize.size4KiB.bytes
        continue
      }
      // Only a page that is missing, or read-only under a write (the zero page, a page shared
      // copy-on-write), needs the trap: asking it about a page that is already there would be
      // a fault that changes nothing.
      if current == nil || (access == .write && current?.flags.contains(.writable) == false) {
        let fault = PageFault(
          address: page, errorCode: errorCode.union(current == nil ? [] : .present),
          origin: .user)
        guard case .resolved = handlePageFault(fault) else {
          preconditionFailure("a permitted access to a committed region did not resolve")
        }
      }
      page += PageSize.size4KiB.bytes
    }
  }
}
