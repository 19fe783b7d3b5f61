/// The per-frame metadata array: one `FrameInfo` per physical frame, indexed by frame number.
///
/// Like `FrameBitmap`, it is carved out of RAM at boot beside the bitmap
/// (`requiredStorageFrames(frameCount:)`), before any heap exists, and this type is only a
/// handle: copies share the records. At 12 bytes per frame it costs 3/1024 of RAM (3 MiB per
/// GiB).
///
/// LOCK: the frame-table lock (or per-record atomics) once a second CPU exists: map counts
/// change under whichever lock guards the page tables being edited, and two address spaces
/// sharing a frame (fork) edit it under different ones — so the count becomes an atomic
/// read-modify-write, the state bits change under the frame's owning object's lock.
public struct FrameTable {
  /// The records, `count` of them.
  @usableFromInline let records: UnsafeMutablePointer<FrameInfo>
  /// The frames covered: `0 ..< frameCount`.
  public let frameCount: UInt64

  /// The storage a table covering `frameCount` frames needs, in records.
  public static func requiredStorageRecords(frameCount: UInt64) -> Int { Int(frameCount) }

  /// The same size in whole 4 KiB frames: what the kernel carves out of usable RAM.
  public static func requiredStorageFrames(frameCount: UInt64) -> UInt64 {
    let bytes = frameCount * UInt64(FrameInfo.bytesPerFrame)
    return (bytes + PageSize.size4KiB.offsetMask) >> PageSize.size4KiB.shift
  }

  /// Adopts `storage` (at least `requiredStorageRecords(frameCount:)` records) and marks every
  /// frame unused; the storage need not be initialised.
  public init(frameCount: UInt64, storage: UnsafeMutableBufferPointer<FrameInfo>) {
    precondition(storage.count >= Int(frameCount), "frame table storage too small")
    records = storage.baseAddress!
    self.frameCount = frameCount
    records.initialize(repeating: .unused, count: Int(frameCount))
  }

  /// The record of `frame`.
  @inlinable public subscript(_ frame: PhysicalFrame) -> FrameInfo {
    get { records[index(frame)] }
    nonmutating set { records[index(frame)] = newValue }
  }

  /// The record's index; a frame beyond the table is a kernel bug.
  @inlinable func index(_ frame: PhysicalFrame) -> Int {
    precondition(frame.number < frameCount, "frame beyond the frame table")
    return Int(truncatingIfNeeded: frame.number)
  }

  /// Records the first mapping of a frame just allocated for anonymous memory: count 1,
  /// exclusive to the space that faulted it in. One 8-byte store on the fault path.
  @inlinable public func recordFirstMapping(of frame: PhysicalFrame) {
    records[index(frame)] = FrameInfo(mapCount: 1, state: .anonymousExclusive)
  }

  /// Records the first mapping of a frame just allocated with `state` (e.g. `.shared` for a
  /// page of shared memory, which is never exclusive to one space).
  @inlinable public func recordFirstMapping(of frame: PhysicalFrame, state: FrameState) {
    records[index(frame)] = FrameInfo(mapCount: 1, state: state)
  }

  /// Records one more leaf mapping of `frame`.
  @inlinable public func recordMapping(of frame: PhysicalFrame) {
    records[index(frame)].mapCount += 1
  }

  /// Records a second (third, …) leaf of an anonymous frame that copy-on-write now shares
  /// (fork): one more mapping, and no longer exclusive to any space, so neither may write it in
  /// place until a write fault decides (`AddressSpace.breakCopyOnWrite`).
  /// One 8-byte load and store: fork does this for every page.
  @inlinable public func recordCopyOnWriteSharing(of frame: PhysicalFrame) {
    let slot = records + index(frame)
    var info = slot.pointee
    info.mapCount += 1
    info.state.remove(.anonymousExclusive)
    slot.pointee = info
  }

  /// Marks `frame`, which exactly one leaf maps, exclusive to that leaf's space again: the
  /// write fault that found it the sole owner reuses it in place.
  @inlinable public func recordExclusive(_ frame: PhysicalFrame) {
    let slot = records + index(frame)
    precondition(slot.pointee.mapCount == 1, "an exclusive frame has exactly one mapping")
    slot.pointee.state.insert(.anonymousExclusive)
  }

  /// Records that one leaf mapping of `frame` is gone. Returns true when the frame is now
  /// mapped nowhere and belongs to no one else — not pinned, not a memory object's page
  /// (`.shared`: the object frees it) — so the caller must free it (after the TLB flush). The
  /// record is then reset, so a frame on the free list always reads `.unused`.
  @inlinable public func recordUnmapping(of frame: PhysicalFrame) -> Bool {
    let slot = records + index(frame)
    precondition(slot.pointee.mapCount > 0, "unmapping a frame no one maps")
    slot.pointee.mapCount -= 1
    guard slot.pointee.mapCount == 0, slot.pointee.state.isDisjoint(with: [.pinned, .shared])
    else { return false }
    // A swap-cache frame under I/O, or holding the only copy of its page, stays; a clean copy
    // goes (its slot holds the page; the cache's slot → frame link is checked against this
    // record, so resetting it is the unlink — `SwapArea.cachedFrame`).
    guard slot.pointee.state.isDisjoint(with: .keptBySwap) else { return false }
    slot.pointee = .unused
    return true
  }

  // MARK: Shared page tables

  /// How many page-directory entries reach the page table in `frame`: its share count when
  /// fork shares it, else 1.
  @inlinable public func sharers(ofTable frame: PhysicalFrame) -> UInt32 {
    let info = records[index(frame)]
    return info.state.contains(.sharedPageTable) ? info.mapCount : 1
  }

  /// Records one more page-directory entry reaching the page table in `frame` (fork).
  @inlinable public func recordTableShared(_ frame: PhysicalFrame) {
    records[index(frame)] = FrameInfo(
      mapCount: sharers(ofTable: frame) + 1, state: .sharedPageTable)
  }

  /// Records one page-directory entry fewer reaching the page table in `frame`, which at
  /// least two reached. When one is left the record goes back to `.unused`: that sharer owns
  /// the table alone (and takes it over on its next fault, see `AddressSpace.unshareTable`).
  @inlinable public func recordTableShareDropped(_ frame: PhysicalFrame) {
    let sharers = sharers(ofTable: frame)
    precondition(sharers > 1, "dropping the share of a page table no one shares")
    records[index(frame)] =
      sharers == 2 ? .unused : FrameInfo(mapCount: sharers - 1, state: .sharedPageTable)
  }
}
