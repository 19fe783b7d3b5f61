import KernelMemory
import KernelMemoryEmulation
import Testing

/// Not-present, reserved-bit and non-canonical accesses, and the exact error codes they raise.
@Suite struct SoftwareMMUFaultTests {
  static let page: UInt64 = 0x7f_c000_3000

  static func mapped(features: PagingFeatures = PagingFeatures()) -> HandBuiltTables {
    let tables = HandBuiltTables(features: features)
    tables.map(page, to: HandBuiltTables.dataFrame(0))
    return tables
  }

  @Test(arguments: PageTableLevel.allCases)
  func notPresentAtAnyLevelClearsP(level: PageTableLevel) {
    let tables = Self.mapped()
    tables.clear(.present, Self.page, at: level)
    #expect(tables.mmu.walk(VirtualAddress(canonical: Self.page)) == .notPresent(level: level))
    #expect(tables.translate(Self.page, .userRead) == HandBuiltTables.fault(Self.page, [.user]))
    #expect(
      tables.translate(Self.page, .userWrite) == HandBuiltTables.fault(Self.page, [.user, .write]))
    #expect(tables.translate(Self.page, .supervisorRead) == HandBuiltTables.fault(Self.page, []))
    #expect(
      tables.translate(Self.page, .supervisorExecute)
        == HandBuiltTables.fault(Self.page, [.instructionFetch]))
  }

  @Test func notPresentEntryIgnoresItsOtherBits() {
    let tables = Self.mapped()
    tables.modify(Self.page, at: .pageDirectory) { $0.rawValue = ~PageTableFlags.present.rawValue }
    #expect(tables.translate(Self.page, .userRead) == HandBuiltTables.fault(Self.page, [.user]))
  }

  @Test func fetchFaultReportsIDOnlyWhenNXEOrSMEPIsOn() {
    var features = PagingFeatures()
    features.noExecuteEnable = false
    features.supervisorModeExecutionPrevention = false
    let tables = HandBuiltTables(features: features)
    #expect(tables.translate(Self.page, .userExecute) == HandBuiltTables.fault(Self.page, [.user]))
    features.supervisorModeExecutionPrevention = true
    tables.mmu.features = features
    #expect(
      tables.translate(Self.page, .userExecute)
        == HandBuiltTables.fault(Self.page, [.user, .instructionFetch]))
  }

  static let reserved: PageFaultErrorCode = [.present, .reservedBit]

  @Test func pageSizeBitInPML4EntryIsReserved() {
    let tables = Self.mapped()
    tables.set(.huge, Self.page, at: .pml4)
    #expect(tables.mmu.walk(VirtualAddress(canonical: Self.page)) == .reservedBitSet(level: .pml4))
    #expect(
      tables.translate(Self.page, .userRead)
        == HandBuiltTables.fault(Self.page, Self.reserved.union(.user)))
  }

  @Test(arguments: PageTableLevel.allCases)
  func noExecuteBitIsReservedWithoutNXE(level: PageTableLevel) {
    var features = PagingFeatures()
    features.noExecuteEnable = false
    let tables = Self.mapped(features: features)
    tables.set(.noExecute, Self.page, at: level)
    #expect(
      tables.translate(Self.page, .userWrite)
        == HandBuiltTables.fault(Self.page, Self.reserved.union([.user, .write])))
  }

  @Test(arguments: PageTableLevel.allCases)
  func addressBitsAboveMaxPhysicalAddressAreReserved(level: PageTableLevel) {
    var features = PagingFeatures()
    features.physicalAddressBits = 40
    let tables = Self.mapped(features: features)
    let beyondLimit: UInt64 = 1 << 45
    tables.modify(Self.page, at: level) { $0.rawValue |= beyondLimit }
    #expect(
      tables.translate(Self.page, .supervisorRead)
        == HandBuiltTables.fault(Self.page, Self.reserved))
  }

  @Test func bitsInsideAHugePageFrameAreReservedButPATIsNot() {
    let tables = HandBuiltTables()
    let address: UInt64 = 0x4000_0000
    tables.map(address, to: HandBuiltTables.hugeFrame, size: .size2MiB)
    tables.set(.pageAttributeTableHuge, address, at: .pageDirectory)
    #expect(
      tables.translate(address, .userRead).physicalAddress == HandBuiltTables.hugeFrame.address)
    let bit13: UInt64 = 1 << 13
    tables.modify(address, at: .pageDirectory) { $0.rawValue |= bit13 }
    tables.mmu.invalidate(VirtualAddress(canonical: address))
    #expect(
      tables.translate(address, .userRead)
        == HandBuiltTables.fault(address, Self.reserved.union(.user)))
  }

  @Test func misalignedOneGibibyteFrameIsReserved() {
    let tables = HandBuiltTables()
    let address: UInt64 = 0x80_0000_0000
    tables.map(address, to: HandBuiltTables.hugeFrame, size: .size1GiB)
    #expect(
      tables.mmu.walk(VirtualAddress(canonical: address))
        == .reservedBitSet(level: .pageDirectoryPointerTable))
  }

  @Test func reservedBitsAreCheckedBeforePermissions() {
    let tables = Self.mapped()
    tables.clear(.user, Self.page, at: .pageTable)
    tables.set(.huge, Self.page, at: .pml4)
    #expect(
      tables.translate(Self.page, .userRead)
        == HandBuiltTables.fault(Self.page, Self.reserved.union(.user)))
  }

  @Test(
    arguments: [0x0000_8000_0000_0000, 0xffff_7fff_ffff_ffff, 0x0001_0000_0000_0000] as [UInt64])
  func nonCanonicalAddressIsAGeneralProtectionFault(raw: UInt64) {
    let tables = Self.mapped()
    #expect(tables.translate(raw, .userRead) == .generalProtection)
    #expect(tables.translate(raw, .supervisorWrite) == .generalProtection)
    #expect(tables.mmu.statistics.misses == 0)
  }

  @Test func poisonedPageDirectoryFaultsWithReservedBit() {
    let tables = Self.mapped()
    let pageDirectory = tables.entry(Self.page, at: .pageDirectoryPointerTable).frame
    tables.ram.poison(pageDirectory)
    #expect(
      tables.translate(Self.page, .userRead).pageFaultErrorCode?.contains(.reservedBit) == true)
  }
}

@Suite struct SoftwareMMUFaultConversionTests {
  @Test func mmuFaultBecomesTheCoresPageFault() {
    let tables = HandBuiltTables()
    let result = tables.mmu.write(1, at: VirtualAddress(canonical: 0x1234), mode: .user)
    let fault = result.fault?.pageFault(origin: .user)
    #expect(fault == PageFault(address: 0x1234, errorCode: [.user, .write], origin: .user))
    #expect(MMUFault.generalProtection.pageFault(origin: .kernel) == nil)
  }
}
