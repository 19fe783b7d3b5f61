import KernelMemory
import KernelMemoryEmulation
import Testing

/// The Accessed and Dirty bits the MMU writes back into the tables, as the CPU does.
@Suite struct SoftwareMMUAccessedDirtyTests {
  static let page: UInt64 = 0x1234_5000
  static let levels = PageTableLevel.allCases

  static func mapped() -> HandBuiltTables {
    let tables = HandBuiltTables()
    tables.map(page, to: HandBuiltTables.dataFrame(0))
    return tables
  }

  func flags(_ tables: HandBuiltTables, _ level: PageTableLevel) -> PageTableFlags {
    tables.entry(Self.page, at: level).flags
  }

  @Test func readSetsAccessedOnEveryLevelButNotDirty() {
    let tables = Self.mapped()
    _ = tables.translate(Self.page, .userRead)
    for level in Self.levels {
      #expect(flags(tables, level).contains(.accessed))
      #expect(!flags(tables, level).contains(.dirty))
    }
  }

  @Test func writeSetsDirtyOnlyInTheLeaf() {
    let tables = Self.mapped()
    _ = tables.translate(Self.page, .userWrite)
    #expect(flags(tables, .pageTable).isSuperset(of: [.accessed, .dirty]))
    for level in [PageTableLevel.pml4, .pageDirectoryPointerTable, .pageDirectory] {
      #expect(!flags(tables, level).contains(.dirty))
    }
  }

  @Test func faultingAccessMarksNothing() {
    let tables = Self.mapped()
    tables.clear(.writable, Self.page, at: .pageTable)
    _ = tables.translate(Self.page, .userWrite)
    for level in Self.levels { #expect(!flags(tables, level).contains(.accessed)) }
  }

  @Test func firstWriteThroughACleanCachedEntrySetsDirty() {
    let tables = Self.mapped()
    _ = tables.translate(Self.page, .userRead)
    #expect(!flags(tables, .pageTable).contains(.dirty))
    _ = tables.translate(Self.page, .userWrite)
    #expect(tables.mmu.statistics.hits == 1)
    #expect(flags(tables, .pageTable).contains(.dirty))
  }

  @Test func hugePageDirtyBitIsInThePageDirectoryEntry() {
    let tables = HandBuiltTables()
    let address: UInt64 = 0x4000_0000
    tables.map(address, to: HandBuiltTables.hugeFrame, size: .size2MiB)
    _ = tables.translate(address + 0x5000, .userWrite)
    #expect(
      tables.entry(address, at: .pageDirectory).flags.isSuperset(of: [.accessed, .dirty, .huge]))
  }
}
