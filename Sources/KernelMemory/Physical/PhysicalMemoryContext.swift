/// The machine's physical memory as the address spaces share it: the frame source (the seed's
/// bitmap in the kernel, a fault-injecting pool in tests), the commit ledger, the shared zero
/// page, the per-frame metadata (`FrameTable`) and the memory objects (`MemoryObjectTable`). One per machine; every `AddressSpace` holds
/// a reference to it, so accounting is per machine, never per space, and no call has to pass
/// frames or commit along.
///
/// Generic over its `FrameSource` (no existential, so Embedded mode compiles it, and tests can
/// wrap the pool in `CountingFrameSource` to fail the N-th allocation).
///
/// **The zero page is pinned and shared, and its map count is not maintained**: every first
/// read of every process maps it, so counting it would turn the cheapest fault into a write to
/// one hot record (a contended atomic on several CPUs), and it is never freed anyway. Linux
/// does the same (`vm_normal_page` returns NULL for it). Every other user leaf mapping is
/// counted in `frameTable`, and a frame is freed when its count reaches zero (not pinned).
///
/// Locks a second CPU will need (one CPU today, interrupts off in the kernel):
/// - LOCK: the frame allocator lock — `frames` (or per-CPU frame caches in front of it).
/// - LOCK: the commit lock — `commit` (a charge is a compare-and-add; it may become atomic).
/// - LOCK: per-record atomics or the frame-table lock — `frameTable` (see `FrameTable`).
///
/// `frames` and `commit` are `@exclusivity(unchecked)` for the reason `AddressSpace` gives:
/// the kernel serialises their use, and the runtime check would only slow the host build.
public final class PhysicalMemoryContext<Frames: FrameSource> {
  /// Where every frame comes from and goes back to. LOCK: the frame allocator lock.
  @exclusivity(unchecked) public var frames: Frames
  /// The frames promised to reservations, machine-wide. LOCK: the commit lock.
  @exclusivity(unchecked) public var commit: CommitLedger
  /// A frame of zeros that first reads map read-only, or nil to give every first touch its own
  /// frame. Pinned and shared in `frameTable`; its map count is not kept (see above).
  public let zeroPage: PhysicalFrame?
  /// One `FrameInfo` per frame. LOCK: see `FrameTable`.
  public let frameTable: FrameTable
  /// The memory objects (shared anonymous memory today) regions of every space refer to.
  /// LOCK: the object-table lock (see `MemoryObjectTable`).
  @exclusivity(unchecked) public internal(set) var objects = MemoryObjectTable()
  /// The read-only files whose pages are cached in frames (`PageCache`). LOCK: the
  /// page-cache lock.
  @exclusivity(unchecked) public internal(set) var pageCache = PageCache()
  /// The live address spaces, as the objects' reverse maps name them
  /// (`AddressSpaceDirectory`). LOCK: the space-directory lock.
  @exclusivity(unchecked) public internal(set) var spaces = AddressSpaceDirectory()
  /// The reclaim clock's hands and counters (`ReclaimState`). LOCK: the reclaim lock.
  @exclusivity(unchecked) public internal(set) var reclaim = ReclaimState()
  /// The reverse map of private pages shared after fork (`AnonymousLineageTable`).
  /// LOCK: the lineage lock.
  @exclusivity(unchecked) public internal(set) var lineages = AnonymousLineageTable()
  /// The swap area and swap cache (`SwapArea`), nil until the kernel attaches the area it
  /// found at boot (`attachSwap`). LOCK: the swap lock.
  public internal(set) var swap: SwapArea? = nil

  /// Creates the context. `zeroPage`, when given, must be a zeroed frame taken from `frames`;
  /// it is marked pinned and shared.
  public init(
    frames: Frames, commitLimit: UInt64, frameTable: FrameTable, zeroPage: PhysicalFrame?
  ) {
    self.frames = frames
    self.commit = CommitLedger(limit: commitLimit)
    self.frameTable = frameTable
    self.zeroPage = zeroPage
    if let zeroPage { frameTable[zeroPage] = FrameInfo(mapCount: 0, state: [.shared, .pinned]) }
  }

  /// Sets the commit limit while nothing is committed (the kernel learns what it keeps for
  /// itself only after its heap and tables exist).
  public func resetCommit(limit: UInt64) {
    precondition(commit.committed == 0, "the commit limit changed under live reservations")
    commit = CommitLedger(limit: limit)
  }

  /// One frame for a fresh user mapping, or nil when memory is exhausted.
  @inlinable public func allocateFrame() -> PhysicalFrame? { frames.allocateFrame() }

  /// Returns a frame to the source.
  @inlinable public func releaseFrame(_ frame: PhysicalFrame) { frames.releaseFrame(frame) }

  /// Records that a user leaf mapping of `frame` went away; true when the caller must free
  /// the frame (no mapping left, not pinned). The zero page is never counted nor freed. A
  /// clean swap-cache copy freed this way gives up the slot the cache kept for it
  /// (`swapCopyFreed`), so every path that unmaps private memory must come through here.
  @inlinable public func recordUnmapping(of frame: PhysicalFrame) -> Bool {
    guard frame != zeroPage else { return false }
    let before = frameTable[frame]
    guard frameTable.recordUnmapping(of: frame) else { return false }
    if before.state.contains(.swapCache) { swapCopyFreed(slot: before.swapSlot) }
    return true
  }
}
