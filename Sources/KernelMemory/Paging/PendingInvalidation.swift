/// A TLB invalidation owed after a page-table entry changed.
///
/// It is non-copyable and its `deinit` traps: the only way to get rid of one is to `flush` it,
/// so a forgotten `invlpg` is a crash in the first test that forgets it, not a stale translation
/// discovered months later.
@frozen public struct PendingInvalidation: ~Copyable {
  /// The address whose translation changed.
  public let address: VirtualAddress

  @usableFromInline init(address: VirtualAddress) { self.address = address }

  /// Invalidates the translation in `tlb`.
  public consuming func flush<TLB: TranslationCache>(_ tlb: TLB) {
    tlb.invalidate(address)
    discard self
  }

  deinit { preconditionFailure("a TLB invalidation was dropped without flush") }
}

/// The result of removing a mapping: the frame it pointed to and the page tables that became
/// empty, all of which may still be cached by the CPU.
///
/// Nothing in it may be reused before the TLB forgets it, so the frames are only handed out by
/// `flush`, which invalidates first. Like `PendingInvalidation`, dropping it traps.
@frozen public struct UnmappedPage: ~Copyable {
  /// The address that was unmapped.
  public let address: VirtualAddress
  /// The size of the mapping that was removed.
  public let size: PageSize
  @usableFromInline let leaf: PhysicalFrame
  @usableFromInline let emptiedTables: EmptiedTables

  @usableFromInline init(
    address: VirtualAddress, size: PageSize, leaf: PhysicalFrame, emptiedTables: EmptiedTables
  ) {
    self.address = address
    self.size = size
    self.leaf = leaf
    self.emptiedTables = emptiedTables
  }

  /// Invalidates the translation (and the paging-structure caches for the address), returns
  /// the emptied tables to `frames`, and hands back the frame that was mapped — which the caller
  /// owns and decides about (it may be a shared page that must not be freed).
  public consuming func flush<TLB: TranslationCache, Frames: FrameSource>(
    _ tlb: TLB, returningTablesTo frames: inout Frames
  ) -> PhysicalFrame {
    tlb.invalidate(address)
    emptiedTables.release(to: &frames)
    let frame = leaf
    discard self
    return frame
  }

  deinit { preconditionFailure("an unmapped page was dropped without flush") }
}

/// Up to three page tables (PT, PD, PDPT) that an unmap left empty. The PML4 is never freed.
@frozen @usableFromInline struct EmptiedTables {
  @usableFromInline var first: PhysicalFrame?
  @usableFromInline var second: PhysicalFrame?
  @usableFromInline var third: PhysicalFrame?

  @usableFromInline init() {}

  @usableFromInline mutating func append(_ frame: PhysicalFrame) {
    if first == nil {
      first = frame
    } else if second == nil {
      second = frame
    } else {
      precondition(third == nil, "more than three tables emptied by one unmap")
      third = frame
    }
  }

  @usableFromInline func release<Frames: FrameSource>(to frames: inout Frames) {
    if let first { frames.releaseFrame(first) }
    if let second { frames.releaseFrame(second) }
    if let third { frames.releaseFrame(third) }
  }
}
