/// The swap area as the core sees it: its slots (`SwapSlotMap`), the swap cache and the
/// figures. The disk itself is the kernel's (the core never holds a device nor blocks): the
/// core prepares what to write or read and the kernel does the transfer, then calls the
/// completion (`SwapOutBatch`, `SwapRead`).
///
/// **The swap cache** links a slot to the frame that holds its page while the page is being
/// written, being read, or kept as a copy of the slot (Linux's swap cache): two faults on one
/// swapped page read it once, a page shared after fork is written once, and a page whose write
/// failed stays findable. The links go both ways: slot → frame here (`cacheFrames`, O(1)),
/// frame → slot in the frame table (`FrameInfo.swapSlot` with `.swapCache`). The slot → frame
/// side is only a hint, valid while the frame's record still names the slot: a clean copy is
/// freed by `FrameTable.recordUnmapping` when its last leaf goes, which unlinks it without
/// a visit here.
///
/// Owned by the machine's `PhysicalMemoryContext` (`swap`), attached once at boot.
/// LOCK: the swap lock (see `SwapSlotMap`).
public final class SwapArea {
  /// The slots and their reference counts.
  public internal(set) var slots: SwapSlotMap
  /// Slot number → cached frame number + 1 (0: none): the swap cache's slot → frame hint,
  /// 8 bytes per slot (2 MiB per GiB of swap) on the kernel heap, allocated at attach.
  var cacheFrames: [UInt64]
  /// Frames read ahead that no fault has mapped yet, oldest first: clean copies that
  /// `dropReadAhead` frees under memory pressure (a mapped copy is freed by its last unmap).
  var readAhead: [PhysicalFrame] = []
  /// The first live element of `readAhead` (a queue: taken from the front).
  var readAheadStart = 0
  /// Frames whose write failed (`.swapDirty`), for `takeFailedWrites` to retry.
  var failedWrites: [PhysicalFrame] = []
  /// Pages written to swap so far (successful writes).
  public internal(set) var pagesWritten: UInt64 = 0
  /// Pages read from swap so far (successful reads, read-ahead included).
  public internal(set) var pagesRead: UInt64 = 0
  /// Device errors reported to completions so far (one per failed transfer).
  public internal(set) var ioErrors: UInt64 = 0
  /// Pages read ahead of a faulting one so far (Linux's `swap_ra`), and of those the ones a
  /// later fault found in the cache (`swap_ra_hit`).
  public internal(set) var readAheadPages: UInt64 = 0
  public internal(set) var readAheadHits: UInt64 = 0

  /// Slots read ahead of a faulting one, at most (with it: Linux's `page-cluster` 3 = 8).
  public static let readAheadCluster = 8
  /// The read-ahead window's state (see `readAheadWindow`): read-ahead frames a fault mapped
  /// since the last read (Linux's `swapin_readahead_hits`), the slot and window of that read.
  var hitsSinceLastRead = 0
  var lastReadSlot: UInt32 = 0
  var lastReadWindow = 0

  /// An area of `slotCount` slots (the header's `last_page + 1`), `badSlots` excluded.
  public init(slotCount: Int, badSlots: [UInt32] = []) {
    slots = SwapSlotMap(slotCount: slotCount, badSlots: badSlots)
    cacheFrames = [UInt64](repeating: 0, count: slotCount)
  }

  /// The frame caching `slot`, if the link is still valid (`table` names the slot back).
  func cachedFrame(of slot: SwapSlot, in table: FrameTable) -> PhysicalFrame? {
    let stored = cacheFrames[Int(slot.number)]
    guard stored != 0 else { return nil }
    let frame = PhysicalFrame(number: stored - 1)
    let info = table[frame]
    guard info.state.contains(.swapCache), info.swapSlot == slot.number else {
      cacheFrames[Int(slot.number)] = 0
      return nil
    }
    return frame
  }

  /// Links `frame` (mapped `mapCount` times) to `slot` in both directions with `state`.
  func link(_ frame: PhysicalFrame, to slot: SwapSlot, state: FrameState, in table: FrameTable) {
    var info = table[frame]
    info.state.remove(.anonymousExclusive)
    info.state.formUnion(state.union(.swapCache))
    info.swapSlot = slot.number
    table[frame] = info
    cacheFrames[Int(slot.number)] = frame.number + 1
  }

  /// Removes `frame` from the cache: its record forgets the slot (the frame stays whatever
  /// else it is).
  func unlink(_ frame: PhysicalFrame, in table: FrameTable) {
    var info = table[frame]
    let slot = Int(info.swapSlot)
    info.state.subtract([.swapCache, .underWrite, .underRead, .swapDirty, .readAhead])
    info.swapSlot = 0
    table[frame] = info
    if cacheFrames[slot] == frame.number + 1 { cacheFrames[slot] = 0 }
    slots.releaseCacheHold(SwapSlot(number: UInt32(slot)))
  }

  /// Whether a page swapped in by a read keeps its slot, its frame a clean copy of it (so
  /// evicting it again owes no write): while at least half the slots are free — Linux's
  /// `vm_swap_full` rule, past which swap-in gives slots back as soon as it can.
  var keepsCleanCopies: Bool { slots.freeSlots * 2 >= slots.usableSlots }

  /// How many slots the read for a fault on `slot`, which is not cached, covers (the slot
  /// included): Linux's rule for its swap read-ahead (`swapin_nr_pages`), from the hits since
  /// the last read. No hits: 2 when the slot neighbours the last one read, else 1 (nothing is
  /// read ahead on random access); some hits: hits + 2 rounded up to a power of two from 4;
  /// never more than `readAheadCluster`, never less than half the last window (it shrinks
  /// slowly). Each call starts a new count of hits.
  func readAheadWindow(missing slot: SwapSlot) -> Int {
    var pages = hitsSinceLastRead + 2
    if hitsSinceLastRead == 0 {
      let neighbour = slot.number == lastReadSlot &+ 1 || slot.number == lastReadSlot &- 1
      if !neighbour { pages = 1 }
    } else {
      var rounded = Self.readAheadRoundingFloor
      while rounded < pages { rounded <<= 1 }
      pages = rounded
    }
    pages = max(min(pages, Self.readAheadCluster), lastReadWindow / 2)
    hitsSinceLastRead = 0
    lastReadSlot = slot.number
    lastReadWindow = pages
    return pages
  }

  /// The smallest window a read with read-ahead hits behind it gets (Linux's roundup from 4).
  static let readAheadRoundingFloor = 4

  /// A fault mapped a frame read ahead: read-ahead paid, the next window grows.
  func readAheadHit() {
    hitsSinceLastRead += 1
    readAheadHits += 1
  }
}

/// The swap entry side of the context: attaching the area, the commit it adds, releasing slot
/// references.
extension PhysicalMemoryContext {
  /// Attaches the swap area found at boot: `slotCount` slots (the header's `last_page + 1`),
  /// `badSlots` from the header's bad-page list. Call before `resetCommit`, whose limit should
  /// then be `commitLimit(ramFrames:)`.
  public func attachSwap(slotCount: Int, badSlots: [UInt32] = []) {
    precondition(swap == nil, "a second swap area")
    swap = SwapArea(slotCount: slotCount, badSlots: badSlots)
  }

  /// The commit limit with swap: `ramFrames` (what the kernel leaves to user memory) plus the
  /// swap area's usable slots — issue 12's "commit = RAM + swap", so a demand fault can never
  /// find both full: every committed page has a frame or a slot to live in.
  public func commitLimit(ramFrames: UInt64) -> UInt64 {
    ramFrames + UInt64(swap?.slots.usableSlots ?? 0)
  }

  /// One entry fewer holds `slot` (a leaf or index entry holding its swap entry was cleared
  /// or replaced). When none is left the slot is free and its cached frame, if any and not
  /// under I/O, leaves the cache — and is freed if no leaf maps it (nothing flushes: an
  /// unmapped frame has no translation).
  func releaseSwapReference(_ slot: SwapSlot) {
    guard let swap else { preconditionFailure("a swap entry without a swap area") }
    guard swap.slots.release(slot) == 0 else { return }
    guard !swap.slots.isHeldByCache(slot) else { return }  // its mapped clean copy stays
    guard let frame = swap.cachedFrame(of: slot, in: frameTable),
      !swap.slots.isHeldByIO(slot)
    else { return }
    swap.unlink(frame, in: frameTable)
    if frameTable[frame].mapCount == 0 {
      frameTable[frame] = .unused
      releaseFrame(frame)
    }
  }

  /// A swap-cache frame that cached `slot` was freed by its record alone (its last leaf went,
  /// `recordUnmapping`): the cache no longer keeps the slot, which is freed if no entry holds
  /// it (the slot → frame hint is left to `SwapArea.cachedFrame`'s check).
  @usableFromInline func swapCopyFreed(slot: UInt32) {
    swap?.slots.releaseCacheHold(SwapSlot(number: slot))
  }
}

extension PhysicalMemoryContext {
  /// Frames in the swap cache now (`/proc/meminfo`'s SwapCached): a count of the frame
  /// table's records, O(frames) — a figure for /proc, not for a path that runs often (a
  /// clean copy leaves the cache by its record alone, `FrameTable.recordUnmapping`, so no
  /// counter could follow it without a visit here).
  public var swapCachedFrames: UInt64 {
    guard swap != nil else { return 0 }
    var count: UInt64 = 0
    for number in 0..<frameTable.frameCount
    where frameTable[PhysicalFrame(number: number)].state.contains(.swapCache) {
      count += 1
    }
    return count
  }
}
