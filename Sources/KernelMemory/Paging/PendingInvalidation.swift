/// A TLB invalidation owed after a page-table entry changed: the walk's `TLBFlush` for one
/// page, which names the address space.
///
/// It is non-copyable and dropping it traps: the only way to get rid of one is to `flush` it,
/// so a forgotten `invlpg` is a crash in the first test that forgets it, not a stale translation
/// discovered months later.
@frozen public struct PendingInvalidation: ~Copyable {
  /// The address whose translation changed.
  public let address: VirtualAddress
  @usableFromInline var owed: TLBFlush

  @usableFromInline init(address: VirtualAddress, flush: consuming TLBFlush) {
    self.address = address
    owed = flush
  }

  /// The PML4 of the address space whose translation changed.
  public var root: PhysicalFrame { owed.root }

  /// Invalidates the translation in `tlb`.
  public consuming func flush<TLB: TranslationCache>(_ tlb: TLB) {
    var none = NoFrames()
    owed.flush(tlb, returningFramesTo: &none)
  }
}

/// The result of removing a mapping: the frame it pointed to and the page tables that became
/// empty, all of which may still be cached by the CPU.
///
/// Nothing in it may be reused before the TLB forgets it, so the frames are only handed out by
/// `flush`, which invalidates first. Like `PendingInvalidation`, dropping it traps (its
/// `TLBFlush` does).
@frozen public struct UnmappedPage: ~Copyable {
  /// The address that was unmapped.
  public let address: VirtualAddress
  /// The size of the mapping that was removed.
  public let size: PageSize
  @usableFromInline let leaf: PhysicalFrame
  /// The invalidations owed and the emptied tables queued for release.
  @usableFromInline var owed: TLBFlush

  @usableFromInline init(
    address: VirtualAddress, size: PageSize, leaf: PhysicalFrame, flush: consuming TLBFlush
  ) {
    self.address = address
    self.size = size
    self.leaf = leaf
    owed = flush
  }

  /// The PML4 of the address space the mapping was removed from.
  public var root: PhysicalFrame { owed.root }

  /// Invalidates the translation (and the paging-structure caches for the address), returns
  /// the emptied tables to `frames`, and hands back the frame that was mapped — which the caller
  /// owns and decides about (it may be a shared page that must not be freed).
  public consuming func flush<TLB: TranslationCache, Frames: FrameSource>(
    _ tlb: TLB, returningTablesTo frames: inout Frames
  ) -> PhysicalFrame {
    let frame = leaf
    owed.flush(tlb, returningFramesTo: &frames)
    return frame
  }
}
