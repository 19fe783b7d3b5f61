/// Which slots a page-table walk (`PageMap.walk`) visits, and what it does where a table on
/// the way is missing.
enum WalkTarget: Equatable {
  /// Every present leaf, of any size (4 KiB in a page table, 2 MiB or 1 GiB higher up), that
  /// overlaps the range. Missing tables and empty slots are skipped: a sparse range costs only
  /// the tables it has.
  case presentLeaves
  /// Every slot at `level` covering part of the range, present or not. A huge page above
  /// `level` stops the walk (`.hugePageInTheWay`); a missing table is created or stops it.
  case slots(PageTableLevel, missing: MissingTables)
}

/// What a `.slots` walk does where a table above the target level is missing.
enum MissingTables: Equatable {
  /// Stop with `.notMapped` (a lookup).
  case fail
  /// Link a new zeroed table with these flags (present added). All the tables one descent
  /// needs are taken before any is linked, so running out leaves that descent untouched.
  case create(PageTableFlags)
}

/// What a walk does on meeting a last-level table that fork shares (its page-directory entry
/// has R/W clear, see `AddressSpace+SharedTables`).
enum SharedTablePolicy {
  /// Visit its leaves as they are: readers, and callers that unshared the range already.
  case readThrough
  /// Make it this space's own (`PageWalker.unshareTable`) before visiting a leaf, because a
  /// visit may change one.
  case unshareFirst
}

/// One slot the walk visits.
struct LeafSlot {
  /// Where the entry lives.
  let location: EntryLocation
  /// Its value before the visit.
  let entry: PageTableEntry
  /// The first (canonical) address it covers.
  let start: UInt64

  /// The page a present leaf maps: 4 KiB in a page table, else the level's huge size.
  var size: PageSize { location.level.hugePageSize ?? .size4KiB }

  /// The present leaf as a `Mapping` (flags include the huge bit for large pages).
  var mapping: Mapping {
    Mapping(
      page: VirtualAddress(truncatingToCanonical: start),
      frameAddress: entry.hugePageAddress(size), size: size, flags: entry.flags)
  }
}

/// What a visit does to its slot.
enum LeafChange: Equatable {
  /// Leave it.
  case keep
  /// Store this entry. Its table's occupancy count follows (an unused slot filled counts one
  /// more, a used one emptied one fewer) and a present old entry owes an invalidation.
  case write(PageTableEntry)
  /// Empty it (`write(.empty)`); a table left empty is unlinked and freed after the flush.
  case clear
}

/// The visitor of one walk: its policies and what it does at each slot. A concrete type per
/// operation (map, unmap, protect, translate…), so each walk is specialised, with no closure
/// context or existential in the kernel.
protocol PageWalker {
  /// Which slots are visited.
  var target: WalkTarget { get }
  /// What happens at a table fork shares.
  var sharedTables: SharedTablePolicy { get }
  /// Whether every present leaf visited is cleared (an unmap): then a well-filled page table
  /// wholly inside the range is unlinked at once and the space flushed once, instead of an
  /// invalidation per page — Linux's `tlb_single_page_flush_ceiling` rule.
  var clearsEveryLeaf: Bool { get }
  /// Whether a `.presentLeaves` walk also visits the last-level slots holding swap entries
  /// (non-present but used, `SwapEntry`): walks that clear leaves or read them whole
  /// (munmap's, teardown's, the swap audits') must see them, the others skip them.
  var visitsSwapEntries: Bool { get }
  /// Makes the shared page table reached by the page-directory entry at `pointer` this space's
  /// own, writable through that entry; false when no frame was left (the walk stops with
  /// `.outOfFrames`). Asked only under `.unshareFirst`.
  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool
  /// Decides about one slot. Frames it gives up are queued on `flush` (`release`), never
  /// returned directly: the translation may still be cached until the flush.
  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange
}

extension PageWalker {
  var sharedTables: SharedTablePolicy { .readThrough }
  var clearsEveryLeaf: Bool { false }
  var visitsSwapEntries: Bool { false }
  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    preconditionFailure("a read-through walker was asked to unshare a table")
  }
}

/// How a walk ended.
enum WalkOutcome: Equatable {
  /// Every slot of the range was visited.
  case finished
  /// A table was needed and no frame was left (nothing of the failing descent was linked).
  case outOfFrames
  /// A `.slots(…, missing: .fail)` walk met a missing table.
  case notMapped
  /// A huge page at this level covers part of a `.slots` walk's range.
  case hugePageInTheWay(PageTableLevel)

  /// The outcome as the error the public calls throw, nil when finished.
  var error: PageMapError? {
    switch self {
    case .finished: return nil
    case .outOfFrames: return .outOfFrames
    case .notMapped: return .notMapped
    case .hugePageInTheWay(let level): return .hugePageInTheWay(level)
    }
  }
}
