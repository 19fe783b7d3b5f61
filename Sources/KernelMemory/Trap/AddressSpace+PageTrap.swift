extension AddressSpace {
  /// The seed's page trap: decides what a page fault means and, for memory the process
  /// reserved but that is not backed yet, backs it (the seed's "reallocation").
  ///
  /// - A kernel fault, or any fault reporting a reserved bit, is a panic.
  /// - A user fault (or a fault in a user-copy routine) on a page of a region that permits the
  ///   access is resolved: a first read may map the shared zero page read-only, anything else a
  ///   zeroed frame with the region's protection — never just the access's.
  /// - Anything else kills the process. For `.kernelAccessingUser` the kernel answers the system
  ///   call with `EFAULT` instead.
  ///
  /// Frames come from `frames`; the region's commit guarantees one is there, so a shortage is a
  /// panic (broken accounting), never a process-visible failure.
  public mutating func handlePageFault<Frames: FrameSource>(
    _ fault: PageFault, frames: inout Frames
  ) -> FaultResolution {
    guard !fault.errorCode.contains(.reservedBit) else { return .panic(.corruptPageTable(fault)) }
    guard fault.origin != .kernel else { return .panic(.kernelFault(fault)) }
    let access = fault.errorCode.access
    func kill(_ kind: KillReason.Kind) -> FaultResolution {
      .kill(KillReason(kind: kind, address: fault.address, access: access))
    }
    guard let address = VirtualAddress(fault.address) else { return kill(.nonCanonical) }
    guard PageMap<Memory>.isUserPart(address) else { return kill(.kernelAddress) }
    guard let region = region(containing: fault.address) else { return kill(.notMapped) }
    guard region.kind != .guardPage else { return kill(.stackGuard) }
    guard region.protection.permits(access) else { return kill(.accessViolation) }
    let page = address.alignedDown(to: .size4KiB)
    if let mapping = pageMap.mapping(containing: page) {
      return resolvePresent(mapping, region: region, access: access, fault: fault, frames: &frames)
    }
    return back(page, region: region, access: access, fault: fault, frames: &frames)
  }

  /// Backs a page that has no mapping yet.
  mutating func back<Frames: FrameSource>(
    _ page: VirtualAddress, region: Region, access: AccessKind, fault: PageFault,
    frames: inout Frames
  ) -> FaultResolution {
    if access == .read, let zeroPage {
      var flags = region.protection.leafFlags
      flags.remove(.writable)
      guard (try? pageMap.map(page, to: zeroPage, flags: flags, frames: &frames)) != nil else {
        return .panic(.commitViolated(fault))
      }
      resolvedFaults += 1
      return .resolved(.zeroPage)
    }
    guard let frame = frames.allocateFrame() else { return .panic(.commitViolated(fault)) }
    pageMap.memory.zero(frame)
    guard
      (try? pageMap.map(page, to: frame, flags: region.protection.leafFlags, frames: &frames))
        != nil
    else {
      frames.releaseFrame(frame)
      return .panic(.commitViolated(fault))
    }
    residentFrames += 1
    resolvedFaults += 1
    return .resolved(.zeroedFrame)
  }

  /// Handles a fault on a page that is mapped: a write to the zero page, or a fault that is
  /// already resolved (a second fault on the same page, or a stale TLB entry).
  mutating func resolvePresent<Frames: FrameSource>(
    _ mapping: Mapping, region: Region, access: AccessKind, fault: PageFault,
    frames: inout Frames
  ) -> FaultResolution {
    let flags = region.protection.leafFlags
    if access == .write, mapping.frameAddress.frame == zeroPage {
      guard let frame = frames.allocateFrame() else { return .panic(.commitViolated(fault)) }
      pageMap.memory.zero(frame)
      guard let replaced = try? pageMap.remap(mapping.page, to: frame, flags: flags) else {
        preconditionFailure("the zero page mapping vanished")
      }
      _ = replaced.flush(tlb, returningTablesTo: &frames)
      residentFrames += 1
      resolvedFaults += 1
      return .resolved(.copyOfZeroPage)
    }
    let permissionBits: PageTableFlags = [.present, .writable, .user, .noExecute]
    if mapping.flags.intersection(permissionBits) != flags, mapping.frameAddress.frame != zeroPage {
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
