extension AddressSpace {
  /// `fill` for a private mapping of a memory object (a file's page cache, `PageCache`): the
  /// object's page at the fault's offset — read into the cache first if no one has yet.
  ///
  /// - A read or an instruction fetch maps the cache frame itself, read-only whatever the
  ///   region allows (`leafFlags`: the frame is `.shared`, never exclusive), one mapping more;
  ///   a later write finds the read-only leaf and copies (`breakCopyOnWrite`, which never
  ///   claims a `.shared` frame). The neighbours the object holds are mapped with it
  ///   (`mapAround`, Linux's fault-around).
  /// - A write copies the page at once into a fresh frame exclusive to this space, mapped
  ///   with the region's protection; the cache frame is not mapped.
  ///
  /// Either frame comes out of a charge already taken — the object's for the cache page,
  /// the region's (charged like anonymous memory) for the copy — so running out is a broken
  /// ledger, a panic.
  func fillPrivately(
    from object: MemoryObjectID, leaf: PhysicalAddress, tableEntry: PhysicalAddress,
    region: Region, access: AccessKind, fault: PageFault
  ) -> FaultResolution {
    let page = fault.address & ~PageSize.size4KiB.offsetMask
    let resident = physical.objects[object].residentPages
    if let swapIn = objectSwapIn(object, at: region.objectPage(at: page)) { return .swap(swapIn) }
    guard let cached = faultInObjectPage(object, at: region.objectPage(at: page)) else {
      return .panic(.commitViolated(fault))
    }
    let filled = physical.objects[object].residentPages > resident
    residentFrames += 1
    resolvedFaults += 1
    guard access == .write else {
      if !filled { physical.pageCache.recordSharedMapping(physical.frameTable[cached].mapCount) }
      pageMap.fillDemandSlot(
        leaf: leaf, tableEntry: tableEntry,
        with: PageTableEntry(
          frame: cached, flags: leafFlags(mapping: cached, in: region).union(.present)))
      mapAround(object, faultPage: page, leaf: leaf, tableEntry: tableEntry, region: region)
      return .resolved(filled ? .filePage : .objectPage)
    }
    let table = physical.frameTable
    let copy = physical.allocateFrame()
    // The cache keeps its page either way (`.shared`): only this would-be mapping goes.
    precondition(!physical.recordUnmapping(of: cached), "a cached page freed by a fault")
    guard let copy else { return .panic(.commitViolated(fault)) }
    pageMap.memory.copy(cached, to: copy)
    table.recordFirstMapping(of: copy)
    pageMap.fillDemandSlot(
      leaf: leaf, tableEntry: tableEntry,
      with: PageTableEntry(frame: copy, flags: region.protection.leafFlags.union(.present)))
    return .resolved(.copiedOnWrite)
  }
}
