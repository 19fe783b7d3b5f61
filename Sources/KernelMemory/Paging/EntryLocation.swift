/// Where one page-table entry lives: which table (a physical frame), which slot, which level.
///
/// This is what the seed's `LocatePage` fills in: with it, the caller can read or replace the
/// entry directly through `PageMap.entry(at:)` and `PageMap.write(_:at:)`.
public struct EntryLocation: Hashable, Sendable, CustomStringConvertible {
  /// The page table holding the entry.
  public let table: PhysicalFrame
  /// The slot in that table, 0..<512.
  public let index: Int
  /// The table's level.
  public let level: PageTableLevel

  /// The physical address of the 8-byte entry.
  @inlinable public var address: PhysicalAddress {
    table.address.advanced(by: UInt64(index) &* UInt64(MemoryLayout<UInt64>.size))
  }

  public var description: String {
    level.description + "[" + String(index) + "] in " + table.description
  }
}
