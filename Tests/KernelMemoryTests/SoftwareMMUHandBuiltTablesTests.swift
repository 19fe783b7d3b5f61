import KernelMemory
import KernelMemoryEmulation
import Testing

/// Page tables written entry by entry into a small emulated RAM, with a software MMU over them.
///
/// Deliberately independent of `PageMap`: these tests check the MMU against the architecture,
/// so the tables must come from nothing but `PageTableEntry(frame:flags:)` and RAM stores.
///
/// Physical layout of the 4 MiB RAM: frame 0 unused, tables from frame 1, 4 KiB data pages from
/// `dataStart`, and the second 2 MiB (frames 512–1023) free for a 2 MiB page.
final class HandBuiltTables {
  static let ramFrames: UInt64 = 1024
  static let firstTable = PhysicalFrame(number: 1)
  static let dataStart = PhysicalFrame(number: 256)
  static let hugeFrame = PhysicalFrame(number: 512)

  let ram: EmulatedRAM
  let root: PhysicalFrame
  let mmu: SoftwareMMU
  private var nextTable: PhysicalFrame

  init(features: PagingFeatures = PagingFeatures()) {
    ram = EmulatedRAM(frameCount: Self.ramFrames)
    root = Self.firstTable
    nextTable = Self.firstTable.advanced(by: 1)
    mmu = SoftwareMMU(ram: ram, rootTable: root, features: features)
  }

  /// A data frame for 4 KiB pages: `dataStart + index`.
  static func dataFrame(_ index: UInt64) -> PhysicalFrame { dataStart.advanced(by: index) }

  /// A fresh zeroed table frame.
  func newTable() -> PhysicalFrame {
    let table = nextTable
    precondition(table < Self.dataStart, "fixture ran out of table frames")
    nextTable = table.advanced(by: 1)
    ram.zero(table)
    return table
  }

  /// Maps the page of `size` at `address` to `frame` with leaf `flags` (`.huge` is added for
  /// huge sizes), creating intermediate tables with `PageTableFlags.intermediate`.
  @discardableResult
  func map(
    _ address: UInt64, to frame: PhysicalFrame, size: PageSize = .size4KiB,
    flags: PageTableFlags = [.present, .writable, .user]
  ) -> PhysicalAddress {
    let virtual = VirtualAddress(canonical: address)
    let leafFlags = size == .size4KiB ? flags : flags.union(.huge)
    let slot = entryAddress(virtual, at: size.leafLevel, creatingTables: true)
    ram.store(PageTableEntry(frame: frame, flags: leafFlags).rawValue, at: slot)
    return slot
  }

  /// Where the entry for `address` at `level` lives; tables above it must exist unless
  /// `creatingTables`.
  func entryAddress(
    _ address: VirtualAddress, at level: PageTableLevel, creatingTables: Bool = false
  ) -> PhysicalAddress {
    var table = root
    var current = PageTableLevel.pml4
    while current != level {
      let slot = table.address.advanced(by: UInt64(address.index(at: current)) * 8)
      var entry = PageTableEntry(rawValue: ram.load(slot))
      if !entry.isPresent {
        precondition(creatingTables, "no table at \(current) for \(address)")
        entry = PageTableEntry(frame: newTable(), flags: .intermediate)
        ram.store(entry.rawValue, at: slot)
      }
      table = entry.frame
      current = current.next!
    }
    return table.address.advanced(by: UInt64(address.index(at: level)) * 8)
  }

  /// The entry for `address` at `level`.
  func entry(_ address: UInt64, at level: PageTableLevel) -> PageTableEntry {
    PageTableEntry(rawValue: ram.load(entryAddress(VirtualAddress(canonical: address), at: level)))
  }

  /// Rewrites the entry for `address` at `level` in memory (no invalidation: that is the test's
  /// business).
  func modify(_ address: UInt64, at level: PageTableLevel, _ change: (inout PageTableEntry) -> Void)
  {
    let slot = entryAddress(VirtualAddress(canonical: address), at: level)
    var entry = PageTableEntry(rawValue: ram.load(slot))
    change(&entry)
    ram.store(entry.rawValue, at: slot)
  }

  /// Clears `flags` in the entry for `address` at `level`.
  func clear(_ flags: PageTableFlags, _ address: UInt64, at level: PageTableLevel) {
    modify(address, at: level) { $0.rawValue &= ~flags.rawValue }
  }

  /// Sets `flags` in the entry for `address` at `level`.
  func set(_ flags: PageTableFlags, _ address: UInt64, at level: PageTableLevel) {
    modify(address, at: level) { $0.rawValue |= flags.rawValue }
  }

  /// Translates `address` for `access`.
  func translate(_ address: UInt64, _ access: MMUAccess) -> MMUTranslation {
    mmu.translate(rawAddress: address, for: access)
  }

  /// The page fault `access` at `address` should raise with `code`.
  static func fault(_ address: UInt64, _ code: PageFaultErrorCode) -> MMUTranslation {
    .pageFault(address: VirtualAddress(canonical: address), errorCode: code)
  }
}

@Suite struct SoftwareMMUHandBuiltTablesTests {
  @Test func mappingCreatesOneTablePerLevel() {
    let tables = HandBuiltTables()
    let slot = tables.map(0x40_1000, to: HandBuiltTables.dataFrame(0))
    #expect(slot.frame == HandBuiltTables.firstTable.advanced(by: 3))
    #expect(tables.entry(0x40_1000, at: .pageTable).frame == HandBuiltTables.dataFrame(0))
    #expect(tables.entry(0x40_1000, at: .pml4).flags == .intermediate)
  }
}
