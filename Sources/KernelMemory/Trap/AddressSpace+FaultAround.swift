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
    let indexRoot = physical.objects[object].indexRoot.address.value
    var indexTable = IndexTableCursor()
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
        let frame = indexTable.frame(
          at: region.objectPage(at: neighbour), root: indexRoot, memory: pageMap.memory)
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

/// Reads an object's index (a page map keyed by object page, `AddressSpace.indexAddress`) for
/// a run of neighbouring pages: one walk down to the last-level table of a page, then one load
/// per page while the pages stay in that table — not a full walk per page. Read-only: it never
/// creates a table.
struct IndexTableCursor {
  /// The last-level table of the pages `tablePages`, 0 when that part of the index is empty.
  private var table: UInt64 = 0
  /// Which run of `pageTableEntryCount` object pages `table` holds (nil: none walked yet).
  private var tablePages: UInt64? = nil

  /// The frame the index holds for object page `page`, if any.
  mutating func frame<Memory: PhysicalMemoryAccess>(
    at page: UInt64, root: UInt64, memory: Memory
  ) -> PhysicalFrame? {
    let indexBits = UInt64(pageTableEntryCount.trailingZeroBitCount)
    let indexMask = UInt64(pageTableEntryCount - 1)
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    if tablePages != page >> indexBits {
      tablePages = page >> indexBits
      table = Self.lastLevelTable(of: page << PageSize.size4KiB.shift, root: root, memory: memory)
    }
    guard table != 0 else { return nil }
    let entry = PageTableEntry(
      rawValue: memory.load(PhysicalAddress(unchecked: table + (page & indexMask) * entrySize)))
    return entry.isPresent ? entry.address.frame : nil
  }

  /// The physical address of the last-level table covering `address` under `root`, or 0.
  private static func lastLevelTable<Memory: PhysicalMemoryAccess>(
    of address: UInt64, root: UInt64, memory: Memory
  ) -> UInt64 {
    let indexBits = UInt64(pageTableEntryCount.trailingZeroBitCount)
    let indexMask = UInt64(pageTableEntryCount - 1)
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    var table = root
    var shift = PageTableLevel.pml4.indexShift
    while shift > PageTableLevel.pageTable.indexShift {
      let entry = PageTableEntry(
        rawValue: memory.load(
          PhysicalAddress(unchecked: table + ((address >> shift) & indexMask) * entrySize)))
      guard entry.isPresent, !entry.isHuge else { return 0 }
      table = entry.rawValue & PageTableEntry.addressMask
      shift -= indexBits
    }
    return table
  }
}
