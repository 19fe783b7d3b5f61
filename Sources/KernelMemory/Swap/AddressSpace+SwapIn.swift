extension AddressSpace {
  /// The page trap's answer for a leaf holding a swap entry (issue 12 §4), at `leaf` (a slot of
  /// a page table this space owns: the trap unshared it) for the page of `fault`:
  /// - its slot's frame is in the swap cache → mapped now (`mapSwapCached`), no I/O;
  /// - the frame is being read by another fault → `.swap(.waitForRead)`;
  /// - else a frame is taken, put in the swap cache under read with the following in-use
  ///   slots that are not cached, as many as the read-ahead window says
  ///   (`SwapArea.readAheadWindow`: one slot for a fault with no read-ahead hits and no
  ///   neighbour, up to `SwapArea.readAheadCluster` while read-ahead pays), each with a frame
  ///   of its own while frames last, and the kernel is asked to read them (`.swap(.read)`);
  ///   its completion (`completeSwapIn`) maps the page. No frame at all: `.swap(.needsFrame)`
  ///   (reclaim, then retry).
  func swapIn(
    _ entry: SwapEntry, leaf: PhysicalAddress, region: Region, fault: PageFault
  ) -> FaultResolution {
    guard let swap = physical.swap else { return .panic(.corruptPageTable(fault)) }
    let table = physical.frameTable
    let slot = entry.slot
    let access = fault.errorCode.access
    if let frame = swap.cachedFrame(of: slot, in: table) {
      guard !table[frame].state.contains(.underRead) else { return .swap(.waitForRead(slot)) }
      mapSwapCached(frame, slot: slot, leaf: leaf, region: region, access: access)
      return .resolved(.swapCache)
    }
    guard let frame = physical.allocateFrame() else { return .swap(.needsFrame) }
    let window = swap.readAheadWindow(missing: slot)
    var transfer = SwapTransfer(firstSlot: slot, frames: [])
    startRead(of: slot, into: frame, &transfer, swap)
    while transfer.frames.count < window {
      let next = SwapSlot(number: transfer.endSlot)
      guard Int(next.number) < swap.slots.slotCount, swap.slots.isInUse(next),
        !swap.slots.isHeldByIO(next), swap.cachedFrame(of: next, in: table) == nil,
        let ahead = physical.allocateFrame()
      else { break }
      startRead(of: next, into: ahead, &transfer, swap)
    }
    let page = fault.address & ~PageSize.size4KiB.offsetMask
    return .swap(.read(SwapRead(transfer: transfer, page: page, access: access)))
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

  /// Phase two of a fault's swap read, for the space that faulted: the context's completion
  /// (`PhysicalMemoryContext.completeSwapIn`), then the faulting page is mapped from the cache
  /// if its leaf still holds the slot's entry — so the retried instruction finds it mapped,
  /// not one more fault away. What the kernel carries out:
  /// - `.resolved(.swapIn)`: mapped; `.resolved(.alreadyMapped)`: the leaf changed while the
  ///   thread slept (another thread mapped, moved or unmapped the page, or fork shares its
  ///   table again) — the retry sorts it out;
  /// - `.kill(.swapReadError)`: the read failed (the frames are freed, the leaves keep their
  ///   entries): SIGBUS for this process, as Linux's `VM_FAULT_SIGBUS` from `do_swap_page`;
  ///   another process faulting on the page reads it again.
  public func completeSwapIn(_ read: SwapRead, succeeded: Bool) -> FaultResolution {
    physical.completeSwapIn(read, succeeded: succeeded)
    guard succeeded else {
      return .kill(KillReason(kind: .swapReadError, address: read.page, access: read.access))
    }
    let slot = read.transfer.firstSlot
    guard let swap = physical.swap, let region = region(containing: read.page),
      let leaf = swapEntryLeaf(at: read.page, holding: slot),
      let frame = swap.cachedFrame(of: slot, in: physical.frameTable)
    else { return .resolved(.alreadyMapped) }
    mapSwapCached(frame, slot: slot, leaf: leaf, region: region, access: read.access)
    return .resolved(.swapIn)
  }

  /// Where the leaf of `page` is, if it holds `slot`'s swap entry in a page table this space
  /// alone reaches (a table fork shared again while the thread slept is left to the retry).
  func swapEntryLeaf(at page: UInt64, holding slot: SwapSlot) -> PhysicalAddress? {
    var found: PhysicalAddress? = nil
    forEachSwapEntry(in: VirtualRange(uncheckedStart: page, end: page + PageSize.size4KiB.bytes)) {
      _, held, leaf in if held == slot { found = leaf }
    }
    guard let leaf = found,
      !physical.frameTable[leaf.frame].state.contains(.sharedPageTable)
    else { return nil }
    return leaf
  }

  /// Maps the swap cache's `frame` at `leaf`, which held `slot`'s entry, for an `access`: one
  /// leaf more on the frame, one reference less on the slot.
  /// - Other entries still hold the slot (fork): mapped read-only; a write copies it
  ///   (`breakCopyOnWrite`: a swap-cache frame is never claimed), so the slot's other holders
  ///   keep what it held.
  /// - This was the last entry, the access reads and swap is not half full
  ///   (`SwapArea.keepsCleanCopies`): the frame stays in the cache as a clean copy of its slot,
  ///   which the cache now holds (`SwapSlotMap.holdForCache`), mapped read-only — evicting it
  ///   again frees it without a write (Linux keeps the swap-cache page after `do_swap_page`
  ///   unless `vm_swap_full`); the first write gives the slot up and claims the frame
  ///   (`releaseSoleSwapCopy`).
  /// - Otherwise (a write, or swap half full): the frame leaves the cache and, mapped once, is
  ///   this space's alone (`anonymousExclusive`, mapped with the region's protection).
  /// Replacing a non-present entry owes no invalidation.
  func mapSwapCached(
    _ frame: PhysicalFrame, slot: SwapSlot, leaf: PhysicalAddress, region: Region,
    access: AccessKind
  ) {
    let table = physical.frameTable
    guard let swap = physical.swap else { preconditionFailure("a swap entry without swap") }
    table[frame].mapCount += 1
    if table[frame].state.contains(.readAhead) {
      table[frame].state.remove(.readAhead)
      swap.readAheadHit()
    }
    if access != .write, swap.keepsCleanCopies, swap.slots.references(of: slot) == 1,
      table[frame].state.isDisjoint(with: .swapDirty)
    {
      swap.slots.holdForCache(slot)
    }
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

extension PhysicalMemoryContext {
  /// A write fault is about to decide on `frame`, which one read-only leaf maps: when it is a
  /// clean swap-cache copy that the cache alone keeps (no entry holds its slot, no I/O is on
  /// it — `mapSwapCached` kept it for a read), the write is about to make the slot stale, so
  /// the copy leaves the cache and the slot is freed: the frame is then ordinary anonymous
  /// memory the write may claim (`mayClaimExclusive`) instead of copying it. Linux frees the
  /// swap of an exclusive swap-cache page on its first write the same way (`do_wp_page`).
  public func releaseSoleSwapCopy(_ frame: PhysicalFrame) {
    guard let swap else { return }
    let info = frameTable[frame]
    guard info.state.contains(.swapCache), info.mapCount == 1 else { return }
    let slot = SwapSlot(number: info.swapSlot)
    guard swap.slots.isHeldByCache(slot), swap.slots.references(of: slot) == 0,
      !swap.slots.isHeldByIO(slot)
    else { return }
    swap.unlink(frame, in: frameTable)
  }
}
