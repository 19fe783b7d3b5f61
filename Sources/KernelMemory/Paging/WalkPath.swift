/// The entries one walk passed through, one per level from the PML4 down.
///
/// A table's occupancy count lives in the entry one level up that points to it, so changes that
/// add or remove entries need the whole path, not just the final location.
///
/// Swift 6.3's optimiser gets walks through this type wrong when its accessors are inlined (no
/// unsafe code is involved; not yet reduced to a standalone reproducer):
/// with four optional `EntryLocation` fields a path came back from a walking loop holding only
/// its first entries (host release build), and with the integer fields below a kernel built
/// with `-O` corrupted occupancy counts (`unmap` of a 2 MiB page underflowed). Debug builds and
/// `-Osize` were right. Keeping the two accessors out of line (`@inline(never)`) makes every
/// configuration correct — a kernel built with `-O` then passes all its self-tests — at the
/// cost of two calls per level on the general map/unmap path (the demand-fault path does not
/// use `WalkPath`). `swift test -c release` keeps watching.
struct WalkPath {
  /// The table frame numbers, indexed by `level.rawValue - 1`.
  private var tables: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
  /// The slot indices, indexed the same way.
  private var slots: (Int, Int, Int, Int) = (0, 0, 0, 0)
  /// The lowest level recorded so far (4 = only the PML4).
  private var deepest: Int

  /// A path that so far holds only the root's entry for `address`.
  init(root: PhysicalFrame, address: VirtualAddress) {
    deepest = PageTableLevel.pml4.rawValue
    tables.3 = root.number
    slots.3 = address.index(at: .pml4)
  }

  /// The entry the walk used at `level`, nil when it stopped above.
  @inline(never) subscript(level: PageTableLevel) -> EntryLocation? {
    guard level.rawValue >= deepest else { return nil }
    let table: UInt64
    let slot: Int
    switch level {
    case .pageTable: (table, slot) = (tables.0, slots.0)
    case .pageDirectory: (table, slot) = (tables.1, slots.1)
    case .pageDirectoryPointerTable: (table, slot) = (tables.2, slots.2)
    case .pml4: (table, slot) = (tables.3, slots.3)
    }
    return EntryLocation(table: PhysicalFrame(number: table), index: slot, level: level)
  }

  /// Records the entry the walk uses one level below the deepest so far.
  @inline(never) mutating func record(_ location: EntryLocation) {
    precondition(location.level.rawValue == deepest - 1, "walk paths grow one level at a time")
    switch location.level {
    case .pageTable: (tables.0, slots.0) = (location.table.number, location.index)
    case .pageDirectory: (tables.1, slots.1) = (location.table.number, location.index)
    case .pageDirectoryPointerTable: (tables.2, slots.2) = (location.table.number, location.index)
    case .pml4: (tables.3, slots.3) = (location.table.number, location.index)
    }
    deepest = location.level.rawValue
  }
}
