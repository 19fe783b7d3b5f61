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
    let first = firstMappedRegion(endingAfter: range.start)
    guard first < regions.count else { throw .notReserved }
    let mapping = regions[first]
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
    let reservedEnd = endOfReservedRun(from: range.start, limit: range.end)
    // As Linux's walk: the regions before one that may not get `protection` are changed.
    let allowedEnd = endOfPermittedRun(from: range.start, limit: reservedEnd, protection)
    if allowedEnd > range.start || allowedEnd == reservedEnd {
      try protectReserved(
        VirtualRange(uncheckedStart: range.start, end: allowedEnd), protection: protection)
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

  /// `protect` of a range that regions cover without a hole.
  ///
  /// A range inside one region that already has `protection` changes nothing (Linux's
  /// `mprotect_fixup` returns at once when the flags are unchanged). Every region is read once
  /// per step (`regions[index]` is a tree descent): a write barrier's `mprotect` of one page
  /// is on the path of each of its faults.
  func protectReserved(
    _ range: VirtualRange, protection: Protection
  ) throws(AddressSpaceError) {
    if range.end > range.start, let (_, region) = regions.slot(containing: range.start),
      region.range.end >= range.end, region.protection == protection,
      region.kind != .guardPage, region.isCommitted || protection.isEmpty
    {
      return
    }
    try checkRegionLimit(splittingAt: range)
    try split(at: range.start)
    try split(at: range.end)
    let first = firstRegion(endingAfter: range.start)
    var last = first
    while last < regions.count, regions[last].range.end <= range.end { last += 1 }
    try commitNewlyAccessible(first..<last, protection: protection)
    for index in first..<last {
      var region = regions[index]
      region.protection = protection
      regions[index] = region
      updateLeaves(in: region.range, protection: protection, kind: region.kind)
    }
    for index in stride(from: last - 1, through: max(first - 1, 0), by: -1) { mergeWithNext(index) }
  }

  /// The index of the first region ending after `address` that is a mapping (a guard page is
  /// a hole to the calls, as Linux's stack guard gap is no mapping).
  func firstMappedRegion(endingAfter address: UInt64) -> Int {
    let index = firstRegion(endingAfter: address)
    return index < regions.count && regions[index].kind == .guardPage ? index + 1 : index
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

  /// Charges, all or nothing, the regions in `indices` that become accessible for the first time.
  func commitNewlyAccessible(
    _ indices: Range<Int>, protection: Protection
  ) throws(AddressSpaceError) {
    guard !protection.isEmpty else { return }
    var needed: UInt64 = 0
    for index in indices where !regions[index].isCommitted {
      needed += regions[index].worstCaseCharge(for: regions[index].range)
    }
    guard physical.commit.charge(needed) else { throw .outOfMemory }
    for index in indices where !regions[index].isCommitted {
      regions[index].charge = regions[index].worstCaseCharge(for: regions[index].range)
    }
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
