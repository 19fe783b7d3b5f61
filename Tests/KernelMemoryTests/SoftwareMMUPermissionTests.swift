import KernelMemory
import KernelMemoryEmulation
import Testing

/// The SDM's access-rights rules (Vol. 3A §4.6), each checked with a hand-built mapping.
@Suite struct SoftwareMMUPermissionTests {
  static let page: UInt64 = 0x40_0000
  static let code: PageFaultErrorCode = .present

  /// A fixture with `page` mapped user, writable, executable at every level.
  static func userPage(features: PagingFeatures = PagingFeatures()) -> HandBuiltTables {
    let tables = HandBuiltTables(features: features)
    tables.map(page, to: HandBuiltTables.dataFrame(0))
    return tables
  }

  /// A fixture with `page` mapped supervisor-only at the leaf.
  static func supervisorPage(
    _ flags: PageTableFlags = [.present, .writable], features: PagingFeatures = PagingFeatures()
  ) -> HandBuiltTables {
    let tables = HandBuiltTables(features: features)
    tables.map(page, to: HandBuiltTables.dataFrame(0), flags: flags)
    return tables
  }

  @Test(arguments: PageTableLevel.allCases)
  func userAccessNeedsUserAtEveryLevel(level: PageTableLevel) {
    let tables = Self.userPage()
    tables.clear(.user, Self.page, at: level)
    #expect(
      tables.translate(Self.page, .userRead)
        == HandBuiltTables.fault(Self.page, [Self.code, .user]))
    #expect(
      tables.translate(Self.page, .userWrite)
        == HandBuiltTables.fault(Self.page, [Self.code, .user, .write]))
    #expect(tables.translate(Self.page, .supervisorRead).physicalAddress != nil)
  }

  @Test(arguments: PageTableLevel.allCases)
  func writesNeedWritableAtEveryLevel(level: PageTableLevel) {
    let tables = Self.userPage()
    tables.clear(.writable, Self.page, at: level)
    #expect(tables.translate(Self.page, .userRead).physicalAddress != nil)
    #expect(
      tables.translate(Self.page, .userWrite)
        == HandBuiltTables.fault(Self.page, [Self.code, .user, .write]))
  }

  @Test(arguments: PageTableLevel.allCases)
  func noExecuteAtAnyLevelForbidsFetches(level: PageTableLevel) {
    let tables = Self.userPage()
    tables.set(.noExecute, Self.page, at: level)
    #expect(tables.translate(Self.page, .userRead).physicalAddress != nil)
    #expect(
      tables.translate(Self.page, .userExecute)
        == HandBuiltTables.fault(Self.page, [Self.code, .user, .instructionFetch]))
  }

  @Test func kernelFetchHonoursNoExecute() {
    let tables = Self.supervisorPage([.present, .noExecute])
    #expect(
      tables.translate(Self.page, .supervisorExecute)
        == HandBuiltTables.fault(Self.page, [Self.code, .instructionFetch]))
  }

  @Test func writeProtectStopsKernelWritesToReadOnlyPages() {
    let tables = Self.supervisorPage([.present])
    #expect(
      tables.translate(Self.page, .supervisorWrite)
        == HandBuiltTables.fault(Self.page, [Self.code, .write]))
    var features = PagingFeatures()
    features.writeProtect = false
    tables.mmu.features = features
    #expect(tables.translate(Self.page, .supervisorWrite).physicalAddress != nil)
    #expect(tables.translate(Self.page, .userWrite).pageFaultErrorCode != nil)
  }

  @Test func writeProtectOffLetsTheKernelWriteReadOnlyUserPagesWhenSMAPAllows() {
    var features = PagingFeatures()
    features.writeProtect = false
    let tables = Self.userPage(features: features)
    tables.clear(.writable, Self.page, at: .pageTable)
    #expect(
      tables.translate(Self.page, MMUAccess(.write, .supervisor, overridesSMAP: true))
        .physicalAddress != nil)
    #expect(tables.translate(Self.page, .userWrite).pageFaultErrorCode != nil)
  }

  @Test func smepStopsKernelFetchesFromUserPages() {
    let tables = Self.userPage()
    #expect(
      tables.translate(Self.page, .supervisorExecute)
        == HandBuiltTables.fault(Self.page, [Self.code, .instructionFetch]))
    let withAC = MMUAccess(.execute, .supervisor, overridesSMAP: true)
    #expect(tables.translate(Self.page, withAC).pageFaultErrorCode != nil)
    var features = PagingFeatures()
    features.supervisorModeExecutionPrevention = false
    tables.mmu.features = features
    #expect(tables.translate(Self.page, .supervisorExecute).physicalAddress != nil)
  }

  @Test func smapStopsKernelDataAccessToUserPagesUnlessOverridden() {
    let tables = Self.userPage()
    #expect(
      tables.translate(Self.page, .supervisorRead) == HandBuiltTables.fault(Self.page, [Self.code]))
    #expect(
      tables.translate(Self.page, .supervisorWrite)
        == HandBuiltTables.fault(Self.page, [Self.code, .write]))
    #expect(
      tables.translate(Self.page, MMUAccess(.read, .supervisor, overridesSMAP: true))
        .physicalAddress != nil)
    #expect(
      tables.translate(Self.page, MMUAccess(.write, .supervisor, overridesSMAP: true))
        .physicalAddress != nil)
  }

  @Test func smapOffLetsTheKernelTouchUserPages() {
    var features = PagingFeatures()
    features.supervisorModeAccessPrevention = false
    let tables = Self.userPage(features: features)
    #expect(tables.translate(Self.page, .supervisorRead).physicalAddress != nil)
    #expect(tables.translate(Self.page, .supervisorWrite).physicalAddress != nil)
  }

  @Test func smapOverrideDoesNotBypassWriteProtect() {
    let tables = Self.userPage()
    tables.clear(.writable, Self.page, at: .pageDirectory)
    let copyOut = MMUAccess(.write, .supervisor, overridesSMAP: true)
    #expect(
      tables.translate(Self.page, copyOut) == HandBuiltTables.fault(Self.page, [Self.code, .write]))
  }

  @Test func supervisorPagesAllowEverythingToTheKernelOnly() {
    let tables = Self.supervisorPage()
    for access in [MMUAccess.supervisorRead, .supervisorWrite, .supervisorExecute] {
      #expect(tables.translate(Self.page, access).physicalAddress != nil)
    }
    #expect(
      tables.translate(Self.page, .userExecute)
        == HandBuiltTables.fault(Self.page, [Self.code, .user, .instructionFetch]))
  }

  @Test func faultAddressIsTheExactAddressNotThePage() {
    let tables = Self.supervisorPage()
    #expect(
      tables.translate(Self.page + 0x123, .userRead)
        == HandBuiltTables.fault(Self.page + 0x123, [Self.code, .user]))
  }
}
