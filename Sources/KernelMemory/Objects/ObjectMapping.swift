/// Names one address space in its context's `AddressSpaceDirectory`: what a memory object's
/// reverse map records instead of a reference to the space (no retain cycle between a space,
/// its context and the objects; Embedded Swift has no `weak`).
public struct AddressSpaceID: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The space's slot in the directory (reused once the space is gone).
  public let slot: UInt32

  @inlinable init(slot: UInt32) { self.slot = slot }

  public static func < (lhs: AddressSpaceID, rhs: AddressSpaceID) -> Bool { lhs.slot < rhs.slot }

  public var description: String { "space " + String(slot) }
}

/// One region, in one address space, that maps a memory object: an entry of the object's
/// reverse map (`ObjectMappingTree`; Linux's `vm_area_struct` in `address_space.i_mmap`).
///
/// The region maps object pages `objectOffset ..< objectOffset + pageCount` at the virtual
/// pages from `regionStart` on. A region is named by its space and its start, which no other
/// live region of that space shares, so every entry is distinct.
public struct ObjectMapping: Hashable, Comparable, Sendable, CustomStringConvertible {
  /// The address space the region is in.
  public let space: AddressSpaceID
  /// The region's first address (page-aligned).
  public let regionStart: UInt64
  /// The object page the region's first page maps.
  public let objectOffset: UInt64
  /// The region's length in pages.
  public let pageCount: UInt64

  /// The entry of `region` (which must map an object) in `space`.
  init(_ region: Region, in space: AddressSpaceID) {
    self.space = space
    regionStart = region.range.start
    objectOffset = region.objectOffset
    pageCount = region.range.pageCount
  }

  /// The object pages the region maps.
  public var objectPages: Range<UInt64> { objectOffset..<objectOffset + pageCount }

  /// The addresses at which the region maps those of object pages `offsets` it maps (empty
  /// when it maps none of them).
  public func addresses(mapping offsets: Range<UInt64>) -> VirtualRange {
    let shift = PageSize.size4KiB.shift
    let first = max(offsets.lowerBound, objectOffset)
    let end = max(min(offsets.upperBound, objectOffset + pageCount), first)
    return VirtualRange(
      uncheckedStart: regionStart + ((first - objectOffset) << shift),
      end: regionStart + ((end - objectOffset) << shift))
  }

  /// Ordered by object offset first — the order the reverse map's overlap search needs —
  /// then by space and address, so that equal offsets still make distinct keys.
  public static func < (lhs: ObjectMapping, rhs: ObjectMapping) -> Bool {
    if lhs.objectOffset != rhs.objectOffset { return lhs.objectOffset < rhs.objectOffset }
    if lhs.space != rhs.space { return lhs.space < rhs.space }
    if lhs.regionStart != rhs.regionStart { return lhs.regionStart < rhs.regionStart }
    return lhs.pageCount < rhs.pageCount
  }

  public var description: String {
    space.description + " @" + String(regionStart, radix: 16) + " pages "
      + String(objectOffset) + "+" + String(pageCount)
  }
}
