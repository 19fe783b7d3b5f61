extension AddressSpace {
  /// The seed's page trap: decides what a page fault means and, for memory the process
  /// reserved but that is not backed yet, backs it (the seed's "reallocation").
  ///
  /// - A kernel fault, or any fault reporting a reserved bit, is a panic.
  /// - A user fault (or a fault in a user-copy routine) on a page of a region that permits the
  ///   access is resolved: a first read may map the shared zero page read-only, anything else a
  ///   zeroed frame with the region's protection — never just the access's.
  /// - A fault on a mapped page that already permits the access (a stale TLB entry) is
  ///   resolved by invalidating the page — once: the same fault again with nothing changed in
  ///   between cannot make progress and kills (`FaultProgress`).
  /// - Anything else kills the process, including a fault from ring 3 that the CPU reports as a
  ///   supervisor-mode access (an implicit supervisor access no mapping can grant). For
  ///   `.kernelAccessingUser` the kernel answers the system call with `EFAULT` instead.
  ///
  /// Frames come from `frames`; the region's commit guarantees one is there, so a shortage is a
  /// panic (broken accounting), never a process-visible failure.
  public func handlePageFault(
    _ fault: PageFault
  ) -> FaultResolution {
    let resolution = decide(fault)
    guard case .resolved(.alreadyMapped) = resolution else {
      faultProgress.progressed()
      return resolution
    }
    let page = fault.address & ~(PageSize.size4KiB.bytes - 1)
    guard faultProgress.admitsRetry(page: page, errorCode: fault.errorCode) else {
      faultProgress.progressed()
      return .kill(
        KillReason(kind: .noProgress, address: fault.address, access: fault.errorCode.access))
    }
    return resolution
  }

  /// The policy for one fault, without the memory of earlier ones.
  func decide(
    _ fault: PageFault
  ) -> FaultResolution {
    guard !fault.errorCode.contains(.reservedBit) else { return .panic(.corruptPageTable(fault)) }
    guard fault.origin != .kernel else { return .panic(.kernelFault(fault)) }
    let access = fault.errorCode.access
    func kill(_ kind: KillReason.Kind) -> FaultResolution {
      .kill(KillReason(kind: kind, address: fault.address, access: access))
    }
    // The trap sets `.user` from the interrupted CS (CPL 3); the CPU clears U/S only for a
    // supervisor-mode access. Both at once is an implicit supervisor access (a descriptor-table
    // read, or QEMU TCG popping a far-return frame): the page tables cannot grant it, and
    // answering "already mapped" would repeat it forever.
    guard fault.origin != .user || fault.errorCode.contains(.user) else {
      return kill(.supervisorModeAccess)
    }
    guard let address = VirtualAddress(fault.address) else { return kill(.nonCanonical) }
    guard PageMap<Memory>.isUserPart(address) else { return kill(.kernelAddress) }
    guard let region = faultRegion(containing: fault.address) else { return kill(.notMapped) }
    guard region.kind != .guardPage else { return kill(.stackGuard) }
    guard region.protection.permits(access) else { return kill(.accessViolation) }
    let page = address.alignedDown(to: .size4KiB)
    // One walk: down to the 4 KiB leaf slot, creating the tables a first touch needs (a present
    // leaf implies its tables exist, so nothing is created needlessly). Then the slot is read
    // and either filled or handed to `resolvePresent` — not a lookup walk and a second mapping
    // walk, as `mapping(containing:)` followed by `map` would do.
    switch pageMap.demandSlot(for: page, frames: &physical.frames) {
    case .hugePage:
      // A huge page covers the address (never for demand-paged memory): the general route.
      guard let mapping = pageMap.mapping(containing: page) else {
        return .panic(.commitViolated(fault))
      }
      return resolvePresent(mapping, region: region, access: access, fault: fault)
    case .outOfFrames:
      return outOfFrames(fault)  // no frame for a table
    case .sharedTable(let pointer):
      // A table fork shares: this space's own copy first, then the fault as usual.
      guard unshareTable(at: pointer) else { return outOfFrames(fault) }
      let resolution = decide(fault)
      return resolution == .resolved(.alreadyMapped) ? .resolved(.unsharedTable) : resolution
    case .slot(let leafAddress, let tableEntry):
      let leaf = PageTableEntry(rawValue: pageMap.memory.load(leafAddress))
      if leaf.isPresent {
        let mapping = Mapping(
          page: page, frameAddress: leaf.address, size: .size4KiB, flags: leaf.flags)
        return resolvePresent(
          mapping, region: region, access: access, fault: fault)
      }
      if let entry = leaf.swapEntry {
        return swapIn(entry, leaf: leafAddress, region: region, fault: fault)
      }
      // A non-present entry that is not empty is not this policy's (map would refuse it too).
      guard leaf.isUnused else { return .panic(.commitViolated(fault)) }
      return fill(
        leaf: leafAddress, tableEntry: tableEntry, region: region, access: access, fault: fault)
    }
  }

  /// Fills the empty leaf slot of a page that has no mapping yet: the shared zero page
  /// (read-only) for a first read of private memory, else a zeroed frame with the region's
  /// protection. A region of a memory object maps the object's page (`faultInObjectPage`:
  /// the one it holds, or a zeroed one it keeps from now on) — never the zero page: its page
  /// must be the one every space mapping the object sees, written in place. A private
  /// mapping of an object (a file) maps its page read-only, or copies it for a write
  /// (`fillPrivately`).
  ///
  /// No invalidation: the entry was not present, and the CPU does not cache non-present
  /// translations (Intel SDM Vol. 3A §4.10.2.3).
  func fill(
    leaf: PhysicalAddress, tableEntry: PhysicalAddress, region: Region, access: AccessKind,
    fault: PageFault
  ) -> FaultResolution {
    if region.object != nil, isPastEndOfObject(region, page: fault.address) {
      return .kill(KillReason(kind: .pastEndOfFile, address: fault.address, access: access))
    }
    if let object = region.object, !region.kind.isShared {
      return fillPrivately(
        from: object, leaf: leaf, tableEntry: tableEntry, region: region, access: access,
        fault: fault)
    }
    if let object = region.object {
      return fillFromObject(
        object, leaf: leaf, tableEntry: tableEntry, region: region, page: fault.address,
        fault: fault)
    }
    if access == .read, let zeroPage {
      var flags = region.protection.leafFlags
      flags.remove(.writable)
      pageMap.fillDemandSlot(
        leaf: leaf, tableEntry: tableEntry,
        with: PageTableEntry(frame: zeroPage, flags: flags.union(.present)))
      resolvedFaults += 1
      return .resolved(.zeroPage)
    }
    guard let frame = physical.allocateFrame() else { return outOfFrames(fault) }
    pageMap.memory.zero(frame)
    physical.frameTable.recordFirstMapping(of: frame)
    pageMap.fillDemandSlot(
      leaf: leaf, tableEntry: tableEntry,
      with: PageTableEntry(frame: frame, flags: region.protection.leafFlags.union(.present)))
    residentFrames += 1
    resolvedFaults += 1
    return .resolved(.zeroedFrame)
  }

  /// `fill` for a region of a memory object: its page at the fault's offset, mapped with the
  /// region's protection (written in place by every space that maps it).
  func fillFromObject(
    _ object: MemoryObjectID, leaf: PhysicalAddress, tableEntry: PhysicalAddress, region: Region,
    page: UInt64, fault: PageFault
  ) -> FaultResolution {
    let resident = physical.objects[object].residentPages
    if let swapIn = objectSwapIn(object, at: region.objectPage(at: page)) { return .swap(swapIn) }
    guard
      let frame = faultInObjectPage(
        object, at: region.objectPage(at: page & ~PageSize.size4KiB.offsetMask))
    else {
      return outOfFrames(fault)
    }
    pageMap.fillDemandSlot(
      leaf: leaf, tableEntry: tableEntry,
      with: PageTableEntry(frame: frame, flags: region.protection.leafFlags.union(.present)))
    residentFrames += 1
    resolvedFaults += 1
    guard physical.objects[object].residentPages > resident else { return .resolved(.objectPage) }
    guard case .fileContents = physical.objects[object].kind else {
      return .resolved(.zeroedFrame)
    }
    return .resolved(.filePage)
  }

  /// Handles a fault on a page that is mapped: a write to a private page whose leaf is
  /// read-only because its frame is not exclusive (copy-on-write, the zero page), or a fault
  /// that is already resolved (a second fault on the same page, or a stale TLB entry).
  func resolvePresent(
    _ mapping: Mapping, region: Region, access: AccessKind, fault: PageFault
  ) -> FaultResolution {
    if access == .write, !region.kind.isShared, !mapping.flags.contains(.writable) {
      return breakCopyOnWrite(mapping, region: region, fault: fault)
    }
    let flags = leafFlags(mapping: mapping.frameAddress.frame, in: region)
    let permissionBits: PageTableFlags = [.present, .writable, .user, .noExecute]
    if mapping.flags.intersection(permissionBits) != flags {
      // The leaf lags the region's protection; bring it in line (the region is the truth).
      guard let pending = try? pageMap.protect(mapping.page, flags: flags) else {
        preconditionFailure("a present mapping vanished")
      }
      pending.flush(tlb)
    } else {
      tlb.invalidate(mapping.page)
    }
    return .resolved(.alreadyMapped)
  }
}
