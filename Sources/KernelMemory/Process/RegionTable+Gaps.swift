/// Gap search over `RegionTable`: where `mmap` can place a new region.
extension RegionTable {
  /// The highest position `i < limit` whose region has at least `width` free bytes before it —
  /// between it and region `i - 1`, or `floor` for the first region — or nil if none does.
  ///
  /// O(log n): a subtree whose widest gap (with the gap before its first region) is narrower
  /// than `width` is skipped whole, and only the path along `limit` can be searched in part.
  public func lastIndex(afterGapOf width: UInt64, below limit: Int, floor: UInt64) -> Int? {
    lastGap(of: width, in: root, first: 0, endBefore: floor, limit: limit)
  }

  /// `lastIndex(afterGapOf:…)` within the subtree at `node`, whose first region is position
  /// `first` and has the region ending at `endBefore` (or the floor) before it.
  func lastGap(of width: UInt64, in node: Int, first: Int, endBefore: UInt64, limit: Int) -> Int? {
    guard node != RegionTable.noNode, first < limit else { return nil }
    let summary = nodes[node]
    guard Swift.max(summary.widestGap, Self.gap(from: endBefore, to: summary.lowest)) >= width
    else {
      return nil
    }
    let position = first + size(of: summary.left)
    if let found = lastGap(
      of: width, in: summary.right, first: position + 1, endBefore: summary.region.range.end,
      limit: limit)
    {
      return found
    }
    let previousEnd =
      summary.left == RegionTable.noNode ? endBefore : nodes[summary.left].highest
    if position < limit, Self.gap(from: previousEnd, to: summary.region.range.start) >= width {
      return position
    }
    return lastGap(of: width, in: summary.left, first: first, endBefore: endBefore, limit: limit)
  }
}
