extension AddressSpace {
  /// Moves the backing of every backed page of `source` to the same offset from
  /// `destination` — `mremap`'s move, without copying a byte.
  ///
  /// The destination must be reserved already (so its commit covers the page tables this may
  /// create), not backed anywhere, and must not overlap `source`. Each frame is mapped at its
  /// new address with the destination region's protection (`leafFlags`: the zero page and
  /// copy-on-write frames stay read-only), then unmapped from the old one with its TLB entry invalidated and emptied
  /// tables returned. Resident frames do not change; the source's regions stay reserved (the
  /// caller releases them).
  ///
  /// - Throws: `.invalidRange` for a misaligned, overlapping or out-of-range destination,
  ///   `.notReserved` when the destination is not fully reserved, `.overlapsExisting` when
  ///   part of it is already backed.
  public func moveBacking(
    from source: VirtualRange, to destination: UInt64
  ) throws(AddressSpaceError) {
    let target: VirtualRange
    do throws(VirtualRange.Problem) {
      target = try VirtualRange(start: destination, length: source.length)
    } catch { throw .invalidRange(error) }
    guard target.end <= UserLayout.end, source.end <= UserLayout.end else {
      throw .outsideUserSpace
    }
    guard !target.overlaps(source) else { throw .invalidRange(.overflow) }
    guard isFullyReserved(target) else { throw .notReserved }
    var backedInTarget = false
    pageMap.forEachMapping(in: target) { _ in backedInTarget = true }
    guard !backedInTarget else { throw .overlapsExisting }
    unshareTables(in: source)
    unshareTables(in: target)
    forEachMappingInBatches(in: source) { move($0, by: destination &- source.start) }
    moveSwapEntries(from: source, by: destination &- source.start)
  }

  /// Maps `mapping`'s frame `offset` bytes further on, then unmaps and flushes the old page.
  /// The frame's map count is unchanged: one leaf is added and one removed.
  func move(
    _ mapping: Mapping, by offset: UInt64
  ) {
    let newPage = VirtualAddress(canonical: mapping.page.value &+ offset)
    guard let region = region(containing: newPage.value) else {
      preconditionFailure("the move destination lost its region")
    }
    let frame = mapping.frameAddress.frame
    let flags = leafFlags(mapping: frame, in: region)
    do {
      try pageMap.map(newPage, to: frame, flags: flags, frames: &physical.frames)
    } catch {
      preconditionFailure("the destination's commit did not cover its page tables")
    }
    guard let unmapped = try? pageMap.unmap(mapping.page) else {
      preconditionFailure("a mapping vanished while it was being moved")
    }
    _ = unmapped.flush(tlb, returningTablesTo: &physical.frames)
  }
}
