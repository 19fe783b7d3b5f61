extension AddressSpace {
  /// Reserves and commits `length` bytes (rounded up to pages) — the core of `mmap`.
  ///
  /// Nothing is backed yet: each page gets a frame on first touch. The frames that could ever
  /// be needed are charged to `commit` first, so that fault can never run out of memory; if
  /// they cannot be promised, nothing changes and `.outOfMemory` is thrown.
  ///
  /// - Returns: the reserved range.
  public func reserve(
    length: UInt64, protection: Protection, kind: RegionKind = .anonymous,
    at placement: Placement = .anywhere
  ) throws(AddressSpaceError) -> VirtualRange {
    try reserve(
      length: length, protection: protection, kind: kind, at: placement,
      committed: kind != .guardPage && !protection.isEmpty)
  }

  /// `reserve`, committed or not as `committed` says rather than by the protection: a part
  /// that joins an existing region (mremap growing it) must be committed exactly when that
  /// region is, whatever its protection is now.
  ///
  /// Shared memory gets a new memory object of the region's size, or — `continuing` — maps
  /// the given object from the given page on (a shared region grown by `mremap`), which
  /// grows the object if it must. `maximum` is the region's `maximumProtection`.
  func reserve(
    length: UInt64, protection: Protection, kind: RegionKind, at placement: Placement,
    committed: Bool, continuing existing: (object: MemoryObjectID, offset: UInt64)? = nil,
    maximum: Protection = .all
  ) throws(AddressSpaceError) -> VirtualRange {
    let range = try chooseRange(length: length, placement: placement)
    try checkRegionLimit(reserving: range, at: placement)
    var region = Region(range: range, protection: protection, kind: kind, charge: 0)
    region.maximumProtection = maximum
    // The region's own charge first (tables only for shared memory), then its object's.
    let tablesOnly = kind.isShared ? range.pageCount : 0
    region.charge = committed ? CommitLedger.worstCaseFrames(for: range) - tablesOnly : 0
    guard physical.commit.charge(region.charge) else { throw .outOfMemory }
    if kind.isShared || existing != nil {  // a private file mapping continues its object too
      do throws(AddressSpaceError) {
        if let existing {
          try growObject(existing.object, toPages: existing.offset + range.pageCount)
          retainObject(existing.object)
          (region.object, region.objectOffset) = existing
        } else {
          region.object = try createSharedObject(pages: range.pageCount)
        }
      } catch {
        physical.commit.refund(region.charge)
        throw error
      }
    }
    if case .fixed = placement, !isFree(range) {
      do throws(AddressSpaceError) {
        try release(range)
      } catch {
        physical.commit.refund(region.charge)
        if let object = region.object { releaseObject(object) }
        throw error
      }
    }
    insert(region)
    return range
  }

  /// Reserves the initial user stack: `size` bytes ending at `top`, with a guard page below
  /// that no fault will ever back.
  public func reserveStack(
    top: UInt64 = UserLayout.stackTop, size: UInt64 = UserLayout.defaultStackSize
  ) throws(AddressSpaceError) -> VirtualRange {
    let pageBytes = PageSize.size4KiB.bytes
    guard size >= pageBytes, top >= size + pageBytes else { throw .invalidRange(.overflow) }
    let bottom = top - size
    _ = try reserve(
      length: pageBytes, protection: .none, kind: .guardPage,
      at: .fixedNoReplace(bottom - pageBytes))
    return try reserve(
      length: size, protection: [.read, .write], kind: .stack, at: .fixedNoReplace(bottom))
  }

  /// Validates the placement and finds the range a reservation will occupy.
  func chooseRange(length: UInt64, placement: Placement) throws(AddressSpaceError)
    -> VirtualRange
  {
    switch placement {
    case .anywhere:
      return try findGap(length: length)
    case .hint(let address):
      if let range = try? userRange(start: address, length: length), isFree(range) {
        return range
      }
      return try findGap(length: length)
    case .fixed(let address):
      return try userRange(start: address, length: length)
    case .fixedNoReplace(let address):
      let range = try userRange(start: address, length: length)
      guard isFree(range) else { throw .overlapsExisting }
      return range
    }
  }

  /// Checks that `[start, start + length)` is a valid range inside user space.
  func userRange(start: UInt64, length: UInt64) throws(AddressSpaceError) -> VirtualRange {
    let range: VirtualRange
    do throws(VirtualRange.Problem) {
      range = try VirtualRange(start: start, length: length)
    } catch .nonCanonical, .overflow {
      throw .outsideUserSpace
    } catch {
      throw .invalidRange(error)
    }
    guard range.start >= UserLayout.minimumAddress else { throw .belowMinimumAddress }
    guard range.end <= UserLayout.end else { throw .outsideUserSpace }
    return range
  }

  /// The highest free range of `length` bytes below `UserLayout.mmapCeiling`.
  func findGap(length: UInt64) throws(AddressSpaceError) -> VirtualRange {
    guard length != 0 else { throw .invalidRange(.zeroLength) }
    let pageMask = PageSize.size4KiB.offsetMask
    guard length <= UserLayout.mmapCeiling - UserLayout.minimumAddress else { throw .noSpace }
    let size = (length + pageMask) & ~pageMask
    let ceiling = UserLayout.mmapCeiling
    let index = firstRegion(endingAfter: ceiling - 1)
    // The gap the ceiling cuts: between the region below `index` (or the minimum) and it.
    let floor = index > 0 ? regions[index - 1].range.end : UserLayout.minimumAddress
    let top = index < regions.count ? min(ceiling, regions[index].range.start) : ceiling
    if top >= floor + size, top - size >= UserLayout.minimumAddress {
      return VirtualRange(uncheckedStart: top - size, end: top)
    }
    // Below it, the highest gap wide enough: found through the table's widest-gap summaries,
    // not by walking every small gap.
    guard
      let below = regions.lastIndex(
        afterGapOf: size, below: index, floor: UserLayout.minimumAddress)
    else { throw .noSpace }
    let start = regions[below].range.start
    return VirtualRange(uncheckedStart: start - size, end: start)
  }
}
