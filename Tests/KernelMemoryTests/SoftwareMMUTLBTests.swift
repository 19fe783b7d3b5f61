import KernelMemory
import KernelMemoryEmulation
import Testing

/// The TLB refills only on explicit invalidation, so a forgotten `invlpg` shows up in a test.
@Suite struct SoftwareMMUTLBTests {
  static let page: UInt64 = 0x60_0000
  static let address = VirtualAddress(canonical: page)

  static func cached(flags: PageTableFlags = [.present, .writable, .user]) -> HandBuiltTables {
    let tables = HandBuiltTables()
    tables.map(page, to: HandBuiltTables.dataFrame(0), flags: flags)
    _ = tables.translate(page, .supervisorRead.overridingSMAP)
    return tables
  }

  @Test func remappedPageKeepsTheOldFrameUntilInvalidated() {
    let tables = Self.cached()
    let newFrame = HandBuiltTables.dataFrame(1)
    tables.modify(Self.page, at: .pageTable) {
      $0 = PageTableEntry(frame: newFrame, flags: $0.flags)
    }
    #expect(
      tables.translate(Self.page, .userRead).physicalAddress == HandBuiltTables.dataFrame(0).address
    )
    #expect(tables.mmu.staleEntries() == [Self.address])
    tables.mmu.invalidate(Self.address)
    #expect(tables.translate(Self.page, .userRead).physicalAddress == newFrame.address)
    #expect(tables.mmu.staleEntries().isEmpty)
  }

  @Test func unmappedPageStaysReachableUntilInvalidated() {
    let tables = Self.cached()
    tables.modify(Self.page, at: .pageTable) { $0 = .empty }
    #expect(tables.translate(Self.page, .userWrite).physicalAddress != nil)
    #expect(tables.mmu.staleEntries() == [Self.address])
    tables.mmu.invalidate(Self.address)
    #expect(
      tables.translate(Self.page, .userWrite) == HandBuiltTables.fault(Self.page, [.user, .write]))
  }

  @Test func downgradedRightsNeedInvalidation() {
    let tables = Self.cached()
    tables.clear(.writable, Self.page, at: .pageTable)
    #expect(tables.translate(Self.page, .userWrite).physicalAddress != nil)
    #expect(tables.mmu.staleEntries() == [Self.address])
    tables.mmu.invalidate(Self.address.adding(0x800)!)
    #expect(
      tables.translate(Self.page, .userWrite).pageFaultErrorCode == [.present, .user, .write])
  }

  @Test func upgradedRightsGiveOneSpuriousFaultThenTheNewRights() {
    let tables = Self.cached(flags: [.present, .user])
    tables.set(.writable, Self.page, at: .pageTable)
    #expect(tables.mmu.staleEntries().isEmpty)
    #expect(
      tables.translate(Self.page, .userWrite).pageFaultErrorCode == [.present, .user, .write])
    #expect(tables.translate(Self.page, .userWrite).physicalAddress != nil)
  }

  @Test func faultsAreNotCached() {
    let tables = HandBuiltTables()
    #expect(tables.translate(Self.page, .userRead).pageFaultErrorCode == .user)
    #expect(tables.mmu.cachedTranslationCount == 0)
    tables.map(Self.page, to: HandBuiltTables.dataFrame(0))
    #expect(tables.translate(Self.page, .userRead).physicalAddress != nil)
  }

  @Test func invalidateAllKeepsGlobalEntries() {
    let tables = HandBuiltTables()
    let kernel: UInt64 = 0xffff_8000_0000_0000
    tables.map(kernel, to: HandBuiltTables.dataFrame(0), flags: [.present, .writable, .global])
    tables.map(Self.page, to: HandBuiltTables.dataFrame(1))
    _ = tables.translate(kernel, .supervisorRead)
    _ = tables.translate(Self.page, .userRead)
    tables.modify(kernel, at: .pageTable) { $0 = .empty }
    tables.modify(Self.page, at: .pageTable) { $0 = .empty }
    tables.mmu.invalidateAll()
    #expect(tables.translate(kernel, .supervisorRead).physicalAddress != nil)
    #expect(tables.translate(Self.page, .userRead).pageFaultErrorCode == .user)
    tables.mmu.flushEverything()
    #expect(tables.translate(kernel, .supervisorRead).pageFaultErrorCode == [])
  }

  @Test func loadingCR3KeepsGlobalEntriesOnly() {
    let tables = HandBuiltTables()
    let kernel: UInt64 = 0xffff_8000_0000_0000
    tables.map(kernel, to: HandBuiltTables.dataFrame(0), flags: [.present, .global])
    tables.map(Self.page, to: HandBuiltTables.dataFrame(1))
    _ = tables.translate(kernel, .supervisorRead)
    _ = tables.translate(Self.page, .userRead)
    tables.mmu.rootTable = tables.newTable()
    #expect(tables.mmu.cachedMapping(for: VirtualAddress(canonical: kernel)) != nil)
    #expect(tables.mmu.cachedMapping(for: Self.address) == nil)
    #expect(tables.mmu.staleEntries() == [VirtualAddress(canonical: kernel)])
  }

  @Test func globalBitIsIgnoredWithoutPGE() {
    var features = PagingFeatures()
    features.globalPages = false
    let tables = HandBuiltTables(features: features)
    tables.map(Self.page, to: HandBuiltTables.dataFrame(0), flags: [.present, .global])
    _ = tables.translate(Self.page, .supervisorRead)
    tables.mmu.invalidateAll()
    #expect(tables.mmu.cachedTranslationCount == 0)
  }

  @Test func invalidatingAnyAddressInAHugePageDropsIt() {
    let tables = HandBuiltTables()
    let huge: UInt64 = 0x4000_0000
    tables.map(huge, to: HandBuiltTables.hugeFrame, size: .size2MiB)
    _ = tables.translate(huge + 0x1000, .userRead)
    tables.modify(huge, at: .pageDirectory) { $0 = .empty }
    #expect(tables.translate(huge + 0x1f_f000, .userRead).physicalAddress != nil)
    #expect(tables.mmu.staleEntries() == [VirtualAddress(canonical: huge)])
    tables.mmu.invalidate(VirtualAddress(canonical: huge + 0x12_3456))
    #expect(tables.translate(huge, .userRead).pageFaultErrorCode == .user)
  }

  @Test func splittingAHugePageWithoutInvalidationIsStale() {
    let tables = HandBuiltTables()
    let huge: UInt64 = 0x4000_0000
    tables.map(huge, to: HandBuiltTables.hugeFrame, size: .size2MiB)
    _ = tables.translate(huge, .userRead)
    let table = tables.newTable()
    for index in 0..<UInt64(pageTableEntryCount) {
      let entry = PageTableEntry(
        frame: HandBuiltTables.hugeFrame.advanced(by: index), flags: [.present, .writable, .user])
      tables.ram.store(entry.rawValue, at: table.address.advanced(by: index * 8))
    }
    tables.modify(huge, at: .pageDirectory) {
      $0 = PageTableEntry(frame: table, flags: .intermediate)
    }
    #expect(tables.mmu.staleEntries() == [VirtualAddress(canonical: huge)])
  }

  @Test func invalidationOfAnotherPageLeavesThisOneCached() {
    let tables = Self.cached()
    tables.modify(Self.page, at: .pageTable) { $0 = .empty }
    tables.mmu.invalidate(Self.address.adding(0x1000)!)
    #expect(tables.translate(Self.page, .userRead).physicalAddress != nil)
  }

  @Test func statisticsCountHitsMissesAndInvalidations() {
    let tables = Self.cached()
    _ = tables.translate(Self.page + 1, .userRead)
    _ = tables.translate(Self.page + 2, .userWrite)
    tables.mmu.invalidate(Self.address)
    tables.mmu.invalidateAll()
    let expected = TLBStatistics(hits: 2, misses: 1, pageInvalidations: 1, fullFlushes: 1)
    #expect(tables.mmu.statistics == expected)
  }
}

@Suite struct SoftwareMMUStaleHitTests {
  @Test func staleHitsAreRecordedOnlyWhenAsked() {
    let tables = SoftwareMMUTLBTests.cached()
    let address = SoftwareMMUTLBTests.address
    tables.modify(SoftwareMMUTLBTests.page, at: .pageTable) { $0 = .empty }
    _ = tables.mmu.read(at: address, mode: .user)
    #expect(tables.mmu.staleHits.isEmpty)
    tables.mmu.recordsStaleHits = true
    _ = tables.mmu.read(at: address.adding(5)!, mode: .user)
    #expect(tables.mmu.staleHits == [address.adding(5)!])
    tables.mmu.resetStatistics()
    #expect(tables.mmu.staleHits.isEmpty)
  }
}
