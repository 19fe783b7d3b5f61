/// How many pages one read fault on a private file mapping may map: the window of
/// `faultAroundPages` pages, aligned to its size, around the faulting page. Linux's
/// `fault_around_bytes` is 64 KiB (16 pages) by default (mm/memory.c).
public enum FaultAround {
  /// Pages in one fault-around window (Linux's default `fault_around_bytes` / `PAGE_SIZE`).
  public static let faultAroundPages: UInt64 = 16
  /// The window in bytes.
  static var windowBytes: UInt64 { faultAroundPages << PageSize.size4KiB.shift }
}

extension AddressSpace {
  /// Fault-around (Linux's `do_fault_around`): after a read or an instruction fetch of a
  /// private mapping of a memory object has mapped its page, maps the other pages of the
  /// aligned `FaultAround.faultAroundPages`-page window around it that the object already
  /// holds — read-only, exactly as a fault of each would (`leafFlags`: a cache frame is never
  /// exclusive, so a write still copies) — so a program reading its file's pages in order takes
  /// one fault per window instead of one per page.
  ///
  /// Bounded by the region (never a page of a neighbouring region), by the object's size (a
  /// page past the end stays unmapped: touching it is SIGBUS) and by the page table of the
  /// faulting page (the window is aligned and smaller than one table's 2 MiB, so every leaf is
  /// in the same table, whose entry `tableEntry` counts them). Only empty leaf slots are
  /// filled: a page already mapped, or a slot holding anything else, is left alone. A page the
  /// object does not hold is not read in (Linux maps only cached, up-to-date pages too): its
  /// own fault fills it.
  ///
  /// The extra leaves are counted in the resident set, not as faults (`ru_minflt` counts the
  /// one fault, as on Linux). No TLB invalidation: the slots were not present.
  func mapAround(
    _ object: MemoryObjectID, faultPage page: UInt64, leaf: PhysicalAddress,
    tableEntry: PhysicalAddress, region: Region
  ) {
    let windowStart = page & ~(FaultAround.windowBytes - 1)
    let objectEnd = physical.objects[object].pageCount
    let start = max(windowStart, region.range.start)
    var end = min(windowStart + FaultAround.windowBytes, region.range.end)
    // The object's last page ends the window too (region pages past it are SIGBUS).
    let pagesToObjectEnd =
      objectEnd > region.objectPage(at: start)
      ? objectEnd - region.objectPage(at: start) : 0
    end = min(end, start + (pagesToObjectEnd << PageSize.size4KiB.shift))
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    let table = physical.frameTable
    var neighbour = start
    while neighbour < end {
      defer { neighbour += PageSize.size4KiB.bytes }
      guard neighbour != page else { continue }
      let slot =
        neighbour > page
        ? leaf.value + ((neighbour - page) >> PageSize.size4KiB.shift) * entrySize
        : leaf.value - ((page - neighbour) >> PageSize.size4KiB.shift) * entrySize
      let slotAddress = PhysicalAddress(unchecked: slot)
      guard PageTableEntry(rawValue: pageMap.memory.load(slotAddress)).isUnused,
        let frame = objectPage(object, at: region.objectPage(at: neighbour))
      else { continue }
      table.recordMapping(of: frame)
      pageMap.fillDemandSlot(
        leaf: slotAddress, tableEntry: tableEntry,
        with: PageTableEntry(
          frame: frame, flags: leafFlags(mapping: frame, in: region).union(.present)))
      residentFrames += 1
    }
  }
}
