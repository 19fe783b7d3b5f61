/// One entry of the firmware memory map: a range of physical addresses and what it holds.
public struct MemoryMapEntry: Hashable, Sendable, CustomStringConvertible {
  /// The addresses the entry describes.
  public var range: PhysicalRange
  /// What the firmware says they hold.
  public var kind: MemoryRegionKind

  /// An entry for `range`.
  @inlinable public init(range: PhysicalRange, kind: MemoryRegionKind) {
    self.range = range
    self.kind = kind
  }

  /// An entry as firmware reports it: a start, a length in bytes and a kind (clamped, see
  /// `PhysicalRange`).
  @inlinable public init(start: UInt64, length: UInt64, kind: MemoryRegionKind) {
    self.init(range: PhysicalRange(start: start, length: length), kind: kind)
  }

  public var description: String { range.description + " " + kind.description }
}
