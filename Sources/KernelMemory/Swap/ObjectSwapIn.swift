/// Swap-in of memory-object pages: whoever reaches a page of an object whose index holds a
/// swap entry — a fault on a region of the object (shared or private), a `read`, `write`,
/// `truncate` of a tmpfs file, `execve` of one — asks `objectSwapIn` first, and it answers as
/// the fault path does for a private page (`SwapFault`): nothing to do, wait for a read under
/// way, read these slots (the kernel does it and calls `completeSwapIn`), or reclaim a frame.
/// The caller then asks again; once the slot's frame is in the swap cache it goes back into
/// the object's index and the caller finds the page resident.
///
/// LOCK: the object's lock, then the swap lock.
extension PhysicalMemoryContext {
  /// What must happen before page `offset` of object `id` is resident again, nil when
  /// nothing must (it is resident, a hole, or was just taken back from the swap cache):
  /// - its slot's frame is in the swap cache, not under I/O → the frame goes back into the
  ///   index (`.shared` again, the slot's reference released, so the slot is free): nil;
  /// - that frame is still being written by a swap-out → its bytes are copied into a new
  ///   frame that goes into the index (the write finishes and frees the old one): nil, or
  ///   `.needsFrame` when no frame is free;
  /// - that frame is being read → `.waitForRead`;
  /// - else a frame is taken for the slot, with up to `SwapArea.readAheadCluster - 1`
  ///   following in-use slots that are not cached (each with a frame of its own, while frames
  ///   last) — an object's pages went out in neighbouring slots, so this reads a file ahead —
  ///   and the kernel is asked to read them (`.read`; the page of `SwapRead` is 0: no fault
  ///   address). No frame at all: `.needsFrame`.
  public func objectSwapIn<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) -> SwapFault? {
    guard let entry = objectSwapEntry(id, at: offset, through: memory), let swap else {
      return nil
    }
    let slot = entry.slot
    if let frame = swap.cachedFrame(of: slot, in: frameTable) {
      let state = frameTable[frame].state
      if state.contains(.underRead) { return .waitForRead(slot) }
      if state.contains(.underWrite) {
        guard let copy = allocateFrame() else { return .needsFrame }
        memory.copy(frame, to: copy)
        restoreObjectPage(id, at: offset, frame: copy, slot: slot, through: memory)
      } else {
        swap.unlink(frame, in: frameTable)
        restoreObjectPage(id, at: offset, frame: frame, slot: slot, through: memory)
      }
      return nil
    }
    guard let frame = allocateFrame() else { return .needsFrame }
    var transfer = SwapTransfer(firstSlot: slot, frames: [])
    startObjectRead(of: slot, into: frame, &transfer, swap)
    while transfer.frames.count < SwapArea.readAheadCluster {
      let next = SwapSlot(number: transfer.endSlot)
      guard Int(next.number) < swap.slots.slotCount, swap.slots.isInUse(next),
        !swap.slots.isHeldByIO(next), swap.cachedFrame(of: next, in: frameTable) == nil,
        let ahead = allocateFrame()
      else { break }
      startObjectRead(of: next, into: ahead, &transfer, swap)
    }
    return .read(SwapRead(transfer: transfer, page: 0))
  }

  /// Puts `frame` in the swap cache for `slot`, under read, as the next frame of `transfer`.
  private func startObjectRead(
    of slot: SwapSlot, into frame: PhysicalFrame, _ transfer: inout SwapTransfer, _ swap: SwapArea
  ) {
    frameTable[frame] = .unused
    swap.slots.beginIO(slot)
    swap.link(frame, to: slot, state: .underRead, in: frameTable)
    transfer.frames.append(frame)
  }

  /// Page `offset` of object `id` is `frame` again (out of the swap cache): its index entry,
  /// which held `slot`'s swap entry, now holds the frame — the object's own (`.shared`,
  /// mapped by no leaf yet) — and the slot loses that holder (freed, unless a write still
  /// holds it: then the write's completion frees it and the frame it wrote).
  func restoreObjectPage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, frame: PhysicalFrame, slot: SwapSlot,
    through memory: Memory
  ) {
    frameTable[frame] = FrameInfo(mapCount: 0, state: .shared)
    var restorer = IndexEntryRestorer(entry: PageTableEntry(frame: frame, flags: .present))
    walkIndex(id, pages: offset..<offset + 1, &restorer, through: memory)
    precondition(restorer.replaced, "an object's swap entry vanished during its swap-in")
    objects[id].swappedPages -= 1
    objects[id].residentPages += 1
    releaseSwapReference(slot)
  }
}

/// The walker of `restoreObjectPage`: replaces the one swap entry it visits with `entry`
/// (both used: the table's occupancy does not change, and nothing was present to flush).
struct IndexEntryRestorer: PageWalker {
  let entry: PageTableEntry
  var replaced = false
  var target: WalkTarget { .presentLeaves }
  var visitsSwapEntries: Bool { true }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.entry.swapEntry != nil else { return .keep }
    replaced = true
    return .write(entry)
  }
}

extension AddressSpace {
  /// The fault's question before it maps page `offset` of object `id`
  /// (`PhysicalMemoryContext.objectSwapIn`): nil when the page can be had from the object now.
  func objectSwapIn(_ id: MemoryObjectID, at offset: UInt64) -> SwapFault? {
    guard physical.objects[id].swappedPages > 0 else { return nil }
    return physical.objectSwapIn(id, at: offset, through: pageMap.memory)
  }
}
