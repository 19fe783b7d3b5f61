extension RegionTable {
  /// Linux's `DEFAULT_MAX_MAP_COUNT` (include/linux/mm.h: `USHRT_MAX - MAPCOUNT_ELF_CORE_MARGIN`,
  /// 65,535 - 5), the default of `vm.max_map_count`: the most regions an address space holds
  /// unless it was made with another `regionLimit`.
  public static let defaultMaxMapCount = 65_530
  /// The regions an `mremap` move may add, which Linux's `move_vma` wants free before it starts
  /// (`map_count >= sysctl_max_map_count - 3` → `ENOMEM`): the new mapping, and pieces of the
  /// old range and of a `MREMAP_FIXED` destination that it splits.
  public static let mremapMoveMargin = 3
}

/// The region limit (`vm.max_map_count`): checked before an operation changes anything, from
/// the count the operation would leave, so a refused call leaves the space as it was.
///
/// As on Linux: `mmap` is refused when it would add a region to a full table (even one that
/// would merge with a neighbour); `munmap` only when it punches a hole, the one case where it
/// adds a region; `mprotect` when it must split. Linux lets `mmap` reach one region past the
/// limit (it tests `map_count > max` first) and merges before splitting in `mprotect`; here
/// the table never exceeds `regionLimit`, and an `mprotect` that must split is refused at the
/// limit even where a merge would follow.
extension AddressSpace {
  /// Throws `.tooManyRegions` unless an `mremap` move has room for every region it may add:
  /// checked first, so a move never stops half-done (frames moved, the old range kept).
  public func checkRegionLimitForMove() throws(AddressSpaceError) {
    guard regions.count + RegionTable.mremapMoveMargin <= regionLimit else {
      throw .tooManyRegions
    }
  }

  /// Throws `.tooManyRegions` unless a reservation of `range` at `placement` fits.
  func checkRegionLimit(reserving range: VirtualRange, at placement: Placement)
    throws(AddressSpaceError)
  {
    guard case .fixed = placement else {
      // Every other placement found `range` free: one region more (before any merge).
      guard regions.count < regionLimit else { throw .tooManyRegions }
      return
    }
    try checkRegionLimit(clearing: range, adding: 1)
  }

  /// Throws `.tooManyRegions` unless `range` can be cleared and then `adding` regions placed.
  func checkRegionLimit(clearing range: VirtualRange, adding: Int) throws(AddressSpaceError) {
    let (splits, overlapping) = regionsCut(by: range)
    guard regions.count + splits - overlapping + adding <= regionLimit else {
      throw .tooManyRegions
    }
  }

  /// Throws `.tooManyRegions` unless the regions `range` cuts can be split at its edges.
  func checkRegionLimit(splittingAt range: VirtualRange) throws(AddressSpaceError) {
    guard regions.count + regionsCut(by: range).splits <= regionLimit else {
      throw .tooManyRegions
    }
  }

  /// How many regions `range`'s edges fall strictly inside (each split there adds one), and
  /// how many regions overlap `range` at all: O(log n).
  func regionsCut(by range: VirtualRange) -> (splits: Int, overlapping: Int) {
    let first = firstRegion(endingAfter: range.start)
    let last = firstRegion(endingAfter: range.end - 1)
    let count = regions.count
    var splits = 0
    // Each region read once (`regions[i]` is a descent), and once only when both are one.
    let firstRegion = first < count ? regions[first] : nil
    if let firstRegion, firstRegion.range.start < range.start { splits += 1 }
    var afterLast = last
    if last < count, let lastRegion = last == first ? firstRegion : regions[last],
      lastRegion.range.start < range.end
    {
      afterLast += 1
      if lastRegion.range.end > range.end { splits += 1 }
    }
    return (splits, max(afterLast - first, 0))
  }
}
