/// A page the aging scan found cold — its leaf's accessed bit was clear when the clock hand
/// came round, so nothing touched it for a whole revolution — and that only swap can free
/// (it is dirty or has no other copy): what the swap-out phase is offered.
public enum ReclaimCandidate: Hashable, Sendable {
  /// A private anonymous page (the heap, the stack, `MAP_PRIVATE` memory, a private copy of a
  /// file page) at `address` in `space`. After fork it may be mapped by other spaces too
  /// (copy-on-write): the swap-out finds them through the frame.
  case privatePage(space: AddressSpaceID, address: UInt64)
  /// Page `offset` of a swap-backed memory object (shared anonymous memory, a written tmpfs
  /// file).
  case objectPage(MemoryObjectID, offset: UInt64)
}

/// What one aging pass did: how far it got and what it found. Accumulated over the spaces a
/// pass of the machine's hand visits (`PhysicalMemoryContext.ageMemory`).
public struct AgingReport: Equatable, Sendable {
  /// Present leaves looked at (plus one for each empty stretch of a region walked), the
  /// unit of the scan budget.
  public internal(set) var scanned = 0
  /// Leaves found accessed, their bit cleared: given a second chance.
  public internal(set) var referenced = 0
  /// Cold leaves of clean page-cache pages removed: the page stays in the cache, mapped by
  /// one leaf fewer; when none is left `dropUnmappedCachePages` can free it.
  public internal(set) var unmappedCachePages = 0
  /// Cold pages only swap can free, at most the number asked for.
  public internal(set) var candidates: [ReclaimCandidate] = []
  /// Leaves a swap-out pass turned into swap entries (their frames queued for writing, or
  /// freed at once when clean copies of their slot).
  public internal(set) var pagesQueued = 0
  /// Why a swap-out pass stopped taking pages, if it did (then the pass ends).
  public internal(set) var swapOutStopped: SwapOutResult.Stop? = nil

  /// An empty report.
  public init() {}
}
