extension AddressSpace {
  /// A write fault on a private page whose leaf is read-only although its region permits
  /// writing: the frame is not (known to be) exclusive to this space — shared with another
  /// space by fork, or the zero page — or the leaf merely lags an exclusive frame's region.
  ///
  /// - An exclusive frame is written in place: the leaf gets the region's flags.
  /// - A frame this space may claim (`mayClaimExclusive`) becomes exclusive and is reused in
  ///   place, no copy (`.reusedExclusive`).
  /// - Anything else is copied into a fresh frame, exclusive to this space, and the old frame
  ///   loses one mapping (freed if that was the last, which the claim rule makes impossible
  ///   today but costs nothing to handle). The zero page's copy is a zeroed frame.
  ///
  /// The frame comes out of the region's commit: every private page of the space is charged
  /// one frame (its own at fork, see `fork(into:)`), so a copy never finds memory exhausted —
  /// running out is a broken ledger, a panic.
  func breakCopyOnWrite(
    _ mapping: Mapping, region: Region, fault: PageFault
  ) -> FaultResolution {
    precondition(mapping.size == .size4KiB, "copy-on-write of a huge page")
    let old = mapping.frameAddress.frame
    let table = physical.frameTable
    let writable = region.protection.leafFlags
    physical.releaseSoleSwapCopy(old)  // a clean swap-cache copy only this leaf maps: claimable
    if table[old].state.contains(.anonymousExclusive) || mayClaimExclusive(old) {
      let reused = !table[old].state.contains(.anonymousExclusive)
      if reused {
        table.recordExclusive(old)
        resolvedFaults += 1
      }
      guard let pending = try? pageMap.protect(mapping.page, flags: writable) else {
        preconditionFailure("a present mapping vanished")
      }
      pending.flush(tlb)
      return .resolved(reused ? .reusedExclusive : .alreadyMapped)
    }
    guard let frame = physical.allocateFrame() else { return outOfFrames(fault) }
    let fromZeroPage = old == zeroPage
    if fromZeroPage {
      pageMap.memory.zero(frame)
    } else {
      pageMap.memory.copy(old, to: frame)
    }
    table.recordFirstMapping(of: frame)
    guard let replaced = try? pageMap.remap(mapping.page, to: frame, flags: writable) else {
      preconditionFailure("a present mapping vanished")
    }
    let released = replaced.flush(tlb, returningTablesTo: &physical.frames)
    if physical.recordUnmapping(of: released) { physical.releaseFrame(released) }
    if fromZeroPage { residentFrames += 1 }
    resolvedFaults += 1
    return .resolved(fromZeroPage ? .copyOfZeroPage : .copiedOnWrite)
  }

  /// Whether a write fault may make `frame`, which this space maps read-only, exclusive to
  /// this space and write it in place.
  ///
  /// The rule: the frame is ordinary anonymous memory (neither `.shared` nor `.pinned`: not
  /// the zero page, not a page of a memory object) and exactly one leaf maps it — the
  /// faulting one. Why that is safe here, when Linux needed `PG_anon_exclusive` to get it
  /// right (CVE-2016-5195, CVE-2020-29374):
  /// - Every reference to a user frame in this kernel is a leaf, counted in `mapCount`: there
  ///   are no GUP-style pins, no swap cache, no page cache holding anonymous pages, and the
  ///   kernel reaches user memory only through the page tables (`user_copy`, with CR0.WP
  ///   set, so a kernel write to a read-only copy-on-write leaf faults here too). A count of
  ///   one therefore means no one else can read or write the frame, now or later.
  /// - The count cannot grow behind the fault's back: fork, the only way to add a leaf to an
  ///   existing private frame, runs under the same address-space lock as this fault (one CPU
  ///   with interrupts off today; LOCK: the address-space lock and the frame-table lock later).
  /// - Once claimed, the frame is marked `anonymousExclusive`, and that bit — not the count —
  ///   is what every later decision reads (`leafFlags`): only a fault, a copy or this claim
  ///   sets it, only fork clears it, and it implies `mapCount == 1`.
  ///
  /// When pins arrive, a pinned reference must keep a frame exclusive (pinning unshares
  /// first, as Linux's `FOLL_PIN` does). The swap cache is a reference beyond the leaves: a
  /// frame in it (`.swapCache`) is the copy other holders of its slot will map, so it is never
  /// claimed, always copied (Linux's `page_count == 1` check excludes it the same way).
  func mayClaimExclusive(_ frame: PhysicalFrame) -> Bool {
    let info = physical.frameTable[frame]
    return info.mapCount == 1 && info.state.isDisjoint(with: [.shared, .pinned, .swapCache])
  }
}
