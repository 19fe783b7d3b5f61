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

  /// Slots read ahead of a faulting one, at most (with it: Linux's `page-cluster` 3 = 8).
  public static let readAheadCluster = 8

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
    info.state.subtract([.swapCache, .underWrite, .underRead, .swapDirty])
    info.swapSlot = 0
    table[frame] = info
    if cacheFrames[slot] == frame.number + 1 { cacheFrames[slot] = 0 }
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
    guard let frame = swap.cachedFrame(of: slot, in: frameTable),
      !swap.slots.isHeldByIO(slot)
    else { return }
    swap.unlink(frame, in: frameTable)
    if frameTable[frame].mapCount == 0 {
      frameTable[frame] = .unused
      releaseFrame(frame)
    }
  }
}
