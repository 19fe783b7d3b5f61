/// Commit accounting: how many frames processes have been promised, against how many exist.
///
/// Reserving memory charges the frames it could ever need (its pages and the page tables that
/// could map them), so a later demand fault never finds memory exhausted: exhaustion is reported
/// as `ENOMEM` at `mmap`/`brk` time, where a program can handle it. One ledger serves the whole
/// machine; its limit must leave room for everything the kernel allocates for itself.
public struct CommitLedger: Sendable, Equatable {
  /// The frames that may be promised in total.
  public private(set) var limit: UInt64
  /// The frames promised so far.
  public private(set) var committed: UInt64 = 0

  /// Creates a ledger that may promise `limit` frames.
  public init(limit: UInt64) { self.limit = limit }

  /// Frames still available to promise.
  @inlinable public var available: UInt64 { limit - committed }

  /// Promises `frames` more, or returns false (changing nothing) when that would pass the limit.
  public mutating func charge(_ frames: UInt64) -> Bool {
    guard frames <= available else { return false }
    committed += frames
    return true
  }

  /// Takes back a promise made by `charge`.
  public mutating func refund(_ frames: UInt64) {
    precondition(frames <= committed, "commit refund larger than what was charged")
    committed -= frames
  }

  /// The most frames a reservation of `range` can ever use: one per page, plus every page
  /// table, page directory and PDPT its addresses can touch.
  public static func worstCaseFrames(for range: VirtualRange) -> UInt64 {
    var total = range.pageCount
    for level in [PageTableLevel.pageDirectory, .pageDirectoryPointerTable, .pml4] {
      let shift = level.indexShift
      total += ((range.end - 1) >> shift) - (range.start >> shift) + 1
    }
    return total
  }
}
