extension AddressSpace {
  /// Changes the protection of every page of `[start, start + length)` — `mprotect`.
  ///
  /// The whole range must be reserved (`.notReserved` otherwise, changing nothing). A
  /// `PROT_NONE` reservation made accessible for the first time is committed now, and fails
  /// with `.outOfMemory` if it cannot be. Pages already backed get the new permissions at once,
  /// with their TLB entries invalidated.
  public mutating func protect(
    start: UInt64, length: UInt64, protection: Protection, commit: inout CommitLedger
  ) throws(AddressSpaceError) {
    let range = try userRange(validatingProtectStart: start, length: length)
    guard isFullyReserved(range) else { throw .notReserved }
    try checkRegionLimit(splittingAt: range)
    try split(at: range.start, commit: &commit)
    try split(at: range.end, commit: &commit)
    let first = firstRegion(endingAfter: range.start)
    var last = first
    while last < regions.count, regions[last].range.end <= range.end { last += 1 }
    try commitNewlyAccessible(first..<last, protection: protection, commit: &commit)
    for index in first..<last { regions[index].protection = protection }
    updateLeaves(in: range, protection: protection)
    for index in stride(from: last - 1, through: max(first - 1, 0), by: -1) { mergeWithNext(index) }
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
    var cursor = range.start
    var index = firstRegion(endingAfter: range.start)
    while cursor < range.end {
      guard index < regions.count, regions[index].range.start <= cursor,
        regions[index].kind != .guardPage
      else { return false }
      cursor = regions[index].range.end
      index += 1
    }
    return true
  }

  /// Charges, all or nothing, the regions in `indices` that become accessible for the first time.
  mutating func commitNewlyAccessible(
    _ indices: Range<Int>, protection: Protection, commit: inout CommitLedger
  ) throws(AddressSpaceError) {
    guard !protection.isEmpty else { return }
    var needed: UInt64 = 0
    for index in indices where !regions[index].isCommitted {
      needed += CommitLedger.worstCaseFrames(for: regions[index].range)
    }
    guard commit.charge(needed) else { throw .outOfMemory }
    for index in indices where !regions[index].isCommitted {
      regions[index].charge = CommitLedger.worstCaseFrames(for: regions[index].range)
    }
  }

  /// Gives every backed page in `range` the leaf flags of `protection`. The shared zero page
  /// stays read-only whatever the protection: a write must still fault to get a private copy.
  mutating func updateLeaves(in range: VirtualRange, protection: Protection) {
    var mappings: [Mapping] = []
    pageMap.forEachMapping(in: range) { mappings.append($0) }
    for mapping in mappings {
      var flags = protection.leafFlags
      if mapping.frameAddress.frame == zeroPage { flags.remove(.writable) }
      guard let pending = try? pageMap.protect(mapping.page, flags: flags) else {
        preconditionFailure("a mapping vanished while its protection changed")
      }
      pending.flush(tlb)
    }
  }
}
