/// `mprotect`'s `PROT_GROWSDOWN` / `PROT_GROWSUP`: extend the change to the start (or end) of
/// a mapping that grows that way.
public enum ProtectionGrowth: Sendable, Equatable {
  /// `PROT_GROWSDOWN`: from the start of the mapping (only the stack grows down).
  case down
  /// `PROT_GROWSUP`: to its end (no mapping grows up on x86-64).
  case up
}

extension AddressSpace {
  /// Changes the protection of every page of `[start, start + length)` — `mprotect`.
  ///
  /// As on Linux, the range is worked through from its start: when it has a hole, the pages
  /// before the hole get the new protection and `.notReserved` is thrown (`ENOMEM`); when
  /// `start` itself is not mapped nothing changes. A `PROT_NONE` reservation made accessible
  /// for the first time is committed now, and fails with `.outOfMemory` if it cannot be.
  /// Pages already backed get the new permissions at once, with their TLB entries invalidated.
  /// `growth` asks for `PROT_GROWSDOWN` / `PROT_GROWSUP`: `.notApplicable` (`EINVAL`) on a
  /// mapping that does not grow that way.
  public func protect(
    start: UInt64, length: UInt64, protection: Protection, growth: ProtectionGrowth? = nil
  ) throws(AddressSpaceError) {
    var range = try userRange(validatingProtectStart: start, length: length)
    let first = firstRegion(endingAfter: range.start)
    let count = regions.count
    guard first < count else { throw .notReserved }
    var mapping = regions[first]  // read once: each `regions[i]` is a descent
    if mapping.kind == .guardPage {  // a hole to the calls, as Linux's stack guard gap
      guard first + 1 < count else { throw .notReserved }
      mapping = regions[first + 1]
    }
    switch growth {
    case .down?:
      guard mapping.range.start < range.end else { throw .notReserved }
      guard mapping.kind == .stack else { throw .notApplicable }
      range = VirtualRange(uncheckedStart: mapping.range.start, end: range.end)
    case .up?:
      guard mapping.range.start <= range.start else { throw .notReserved }
      throw .notApplicable
    case nil:
      guard mapping.range.start <= range.start else { throw .notReserved }
    }
    // The usual call changes pages inside the one mapping it starts in: no second descent.
    let withinMapping = mapping.range.start <= range.start && mapping.range.end >= range.end
    let reservedEnd =
      withinMapping ? range.end : endOfReservedRun(from: range.start, limit: range.end)
    // As Linux's walk: the regions before one that may not get `protection` are changed.
    let allowedEnd =
      withinMapping && mapping.maximumProtection.isSuperset(of: protection)
      ? reservedEnd : endOfPermittedRun(from: range.start, limit: reservedEnd, protection)
    if allowedEnd > range.start || allowedEnd == reservedEnd {
      try protectReserved(
        VirtualRange(uncheckedStart: range.start, end: allowedEnd), protection: protection,
        startingIn: mapping)
    }
    guard allowedEnd == reservedEnd else { throw .beyondMaximumProtection }
    guard reservedEnd == range.end else { throw .notReserved }
  }

  /// Where the regions from `start` that may all get `protection` (their
  /// `maximumProtection` allows it) end, at most `limit`.
  func endOfPermittedRun(from start: UInt64, limit: UInt64, _ protection: Protection) -> UInt64 {
    var index = firstRegion(endingAfter: start)
    while index < regions.count {
      let region = regions[index]
      guard region.range.start < limit else { break }
      if !region.maximumProtection.isSuperset(of: protection) {
        return max(start, region.range.start)
      }
      index += 1
    }
    return limit
  }

  /// `protect` of a range that regions cover without a hole; `region` is the one containing
  /// its start (`protect` has read it already).
  ///
  /// A range inside one region that already has `protection` changes nothing (Linux's
  /// `mprotect_fixup` returns at once when the flags are unchanged). Every region is read once
  /// per step (`regions[index]` is a tree descent): a write barrier's `mprotect` of one page
  /// is on the path of each of its faults.
  func protectReserved(
    _ range: VirtualRange, protection: Protection, startingIn region: Region
  ) throws(AddressSpaceError) {
    if range.end > range.start, region.range.contains(range.start),
      region.range.end >= range.end, region.protection == protection,
      region.kind != .guardPage, region.isCommitted || protection.isEmpty
    {
      return
    }
    // The usual call (a write barrier's page) is inside the one region it starts in: then
    // the splits leave `range` one region, and a range that is that whole region needs none.
    let withinOne =
      range.end > range.start && region.range.contains(range.start) && region.range.end >= range.end
    if !withinOne || region.range != range {
      try checkRegionLimit(splittingAt: range)
      try split(at: range.start)
      try split(at: range.end)
    }
    let first = firstRegion(endingAfter: range.start)
    var last = first + 1
    if !withinOne {
      let count = regions.count
      last = first
      while last < count, regions[last].range.end <= range.end { last += 1 }
    }
    let newlyCommitted = try commitNewlyAccessible(first..<last, protection: protection)
    for index in first..<last {
      var region = regions[index]
      if newlyCommitted, !region.isCommitted {
        region.charge = region.worstCaseCharge(for: region.range)
      }
      region.protection = protection
      regions[index] = region
      updateLeaves(in: region.range, protection: protection, kind: region.kind)
    }
    for index in stride(from: last - 1, through: max(first - 1, 0), by: -1) { mergeWithNext(index) }
  }

  /// Where the run of regions covering `start` without a hole ends, at most `limit`.
  func endOfReservedRun(from start: UInt64, limit: UInt64) -> UInt64 {
    var cursor = start
    var index = firstRegion(endingAfter: start)
    while cursor < limit, index < regions.count {
      let region = regions[index]  // one descent, not one per field
      guard region.range.start <= cursor, region.kind != .guardPage else { break }
      cursor = region.range.end
      index += 1
    }
    return min(cursor, limit)
  }

  /// Validates an `mprotect` range: misaligned or malformed is `EINVAL`, outside user space is
  /// `ENOMEM`, as Linux answers.
  func userRange(validatingProtectStart start: UInt64, length: UInt64) throws(AddressSpaceError)
    -> VirtualRange
  {
    do throws(AddressSpaceError) {
      return try userRange(start: start, length: length)
    } catch .belowMinimumAddress {
      throw .notReserved
    }
  }

  /// Whether regions cover every address of `range` with no hole.
  func isFullyReserved(_ range: VirtualRange) -> Bool {
    endOfReservedRun(from: range.start, limit: range.end) == range.end
  }

  /// Charges the ledger, all or nothing, for the regions in `indices` that become accessible
  /// for the first time; true when the caller must now give each uncommitted one its
  /// `worstCaseCharge` (it rewrites every region anyway: one read and one write each).
  func commitNewlyAccessible(
    _ indices: Range<Int>, protection: Protection
  ) throws(AddressSpaceError) -> Bool {
    guard !protection.isEmpty else { return false }
    var needed: UInt64 = 0
    for index in indices {
      let region = regions[index]  // one descent per region, not one per field
      if !region.isCommitted { needed += region.worstCaseCharge(for: region.range) }
    }
    guard physical.commit.charge(needed) else { throw .outOfMemory }
    return true
  }

  /// Gives every backed page in `range` (inside one region of `kind`) the leaf flags of
  /// `protection` — writable only where `leafFlags` allows it: the zero page and frames
  /// shared copy-on-write stay read-only whatever the protection, so a write still faults
  /// and gets a private copy.
  func updateLeaves(in range: VirtualRange, protection: Protection, kind: RegionKind) {
    var protector = LeafProtector(
      space: self, start: range.start, protection: protection, kind: kind)
    walk(range, &protector)
  }
}
