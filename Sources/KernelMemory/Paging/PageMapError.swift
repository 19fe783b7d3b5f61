/// Why a page-table operation could not be done. Every case leaves the tables as they were.
public enum PageMapError: Error, Equatable, Sendable {
  /// The target already has a mapping (or a table where a huge page was asked for).
  case alreadyMapped
  /// Nothing is mapped at the address.
  case notMapped
  /// A huge page covers the address at this level, so no table below exists to walk into.
  case hugePageInTheWay(PageTableLevel)
  /// A frame for a new page table could not be had.
  case outOfFrames
  /// The virtual or physical address is not aligned to the page size.
  case misaligned
  /// The address lies in the half this operation may not touch.
  case wrongHalf
}
