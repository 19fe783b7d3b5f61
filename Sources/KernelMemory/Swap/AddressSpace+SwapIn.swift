extension AddressSpace {
  /// The page trap's answer for a leaf holding a swap entry (issue 12 §4), at `leaf` (a slot of
  /// a page table this space owns: the trap unshared it) for the page of `fault`:
  /// - its slot's frame is in the swap cache → mapped now (`mapSwapCached`), no I/O;
  /// - the frame is being read by another fault → `.swap(.waitForRead)`;
  /// - else a frame is taken, put in the swap cache under read with up to
  ///   `SwapArea.readAheadCluster - 1` following in-use slots that are not cached (each with a
  ///   frame of its own, while frames last), and the kernel is asked to read them
  ///   (`.swap(.read)`); the instruction's retry then finds the page cached. No frame at all:
  ///   `.swap(.needsFrame)` (reclaim, then retry).
  func swapIn(
    _ entry: SwapEntry, leaf: PhysicalAddress, region: Region, fault: PageFault
  ) -> FaultResolution {
    guard let swap = physical.swap else { return .panic(.corruptPageTable(fault)) }
    let table = physical.frameTable
    let slot = entry.slot
    if let frame = swap.cachedFrame(of: slot, in: table) {
      guard !table[frame].state.contains(.underRead) else { return .swap(.waitForRead(slot)) }
      mapSwapCached(frame, slot: slot, leaf: leaf, region: region)
      return .resolved(.swapCache)
    }
    guard let frame = physical.allocateFrame() else { return .swap(.needsFrame) }
    var transfer = SwapTransfer(firstSlot: slot, frames: [])
    startRead(of: slot, into: frame, &transfer, swap)
    while transfer.frames.count < SwapArea.readAheadCluster {
      let next = SwapSlot(number: transfer.endSlot)
      guard Int(next.number) < swap.slots.slotCount, swap.slots.isInUse(next),
        !swap.slots.isHeldByIO(next), swap.cachedFrame(of: next, in: table) == nil,
        let ahead = physical.allocateFrame()
      else { break }
      startRead(of: next, into: ahead, &transfer, swap)
    }
    let page = fault.address & ~PageSize.size4KiB.offsetMask
    return .swap(.read(SwapRead(transfer: transfer, page: page)))
  }

  /// Puts `frame` in the swap cache for `slot`, under read, as the next frame of `transfer`.
  private func startRead(
    of slot: SwapSlot, into frame: PhysicalFrame, _ transfer: inout SwapTransfer, _ swap: SwapArea
  ) {
    physical.frameTable[frame] = .unused
    swap.slots.beginIO(slot)
    swap.link(frame, to: slot, state: .underRead, in: physical.frameTable)
    transfer.frames.append(frame)
  }

  /// Maps the swap cache's `frame` at `leaf`, which held `slot`'s entry: one leaf more on the
  /// frame, one reference less on the slot. When that was the slot's last reference the frame
  /// leaves the cache (unless I/O is on it) and, mapped once, is this space's alone
  /// (`anonymousExclusive`, mapped with the region's protection); otherwise it is mapped
  /// read-only and a write copies it (`breakCopyOnWrite`: a swap-cache frame is never claimed),
  /// so the slot's other holders keep what it held. Replacing a non-present entry owes no
  /// invalidation.
  func mapSwapCached(_ frame: PhysicalFrame, slot: SwapSlot, leaf: PhysicalAddress, region: Region)
  {
    let table = physical.frameTable
    table[frame].mapCount += 1
    physical.releaseSwapReference(slot)
    var info = table[frame]
    if !info.state.contains(.swapCache), info.mapCount == 1 {
      info.state.insert(.anonymousExclusive)
      table[frame] = info
    }
    let flags = leafFlags(mapping: frame, in: region).union(.present)
    pageMap.memory.store(PageTableEntry(frame: frame, flags: flags).rawValue, at: leaf)
    residentFrames += 1
    swappedPages -= 1
    resolvedFaults += 1
  }

  /// What a fault answers when no frame is free. With a swap area the commit promises every
  /// committed page a frame *or a slot* (RAM + swap), so running out of frames is the
  /// reclaimer's cue: `.swap(.needsFrame)`, the kernel reclaims and the instruction retries.
  /// Without one the ledger promised frames that are not there: a broken commit, a panic.
  func outOfFrames(_ fault: PageFault) -> FaultResolution {
    physical.swap == nil ? .panic(.commitViolated(fault)) : .swap(.needsFrame)
  }
}
