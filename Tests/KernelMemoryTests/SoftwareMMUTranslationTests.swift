import KernelMemory
import KernelMemoryEmulation
import Testing

@Suite struct SoftwareMMUTranslationTests {
  @Test func smallPageKeepsTheOffset() {
    let tables = HandBuiltTables()
    let frame = HandBuiltTables.dataFrame(3)
    tables.map(0x40_1000, to: frame)
    let result = tables.translate(0x40_1abc, .userRead)
    #expect(result == .translated(frame.address.advanced(by: 0xabc)))
  }

  @Test func higherHalfAddressTranslates() {
    let tables = HandBuiltTables()
    let frame = HandBuiltTables.dataFrame(1)
    let kernel: UInt64 = 0xffff_ffff_8012_3000
    tables.map(kernel, to: frame, flags: [.present, .writable])
    #expect(
      tables.translate(kernel + 0x10, .supervisorWrite)
        == .translated(frame.address.advanced(by: 0x10)))
  }

  @Test func twoMebibytePageUsesTwentyOneOffsetBits() {
    let tables = HandBuiltTables()
    tables.map(0x4000_0000, to: HandBuiltTables.hugeFrame, size: .size2MiB)
    let result = tables.translate(0x401a_bcde, .userRead)
    #expect(result == .translated(HandBuiltTables.hugeFrame.address.advanced(by: 0x1a_bcde)))
    #expect(
      tables.mmu.cachedMapping(for: VirtualAddress(canonical: 0x4000_0000))?.size == .size2MiB)
  }

  @Test func patBitOfHugeEntryIsNotAnAddressBit() {
    let tables = HandBuiltTables()
    tables.map(
      0x4000_0000, to: HandBuiltTables.hugeFrame, size: .size2MiB,
      flags: [.present, .writable, .pageAttributeTableHuge])
    let result = tables.translate(0x4000_1234, .supervisorRead)
    #expect(result == .translated(HandBuiltTables.hugeFrame.address.advanced(by: 0x1234)))
  }

  @Test func oneGibibytePageUsesThirtyOffsetBits() {
    let tables = HandBuiltTables()
    tables.map(0x80_0000_0000, to: PhysicalFrame(number: 0), size: .size1GiB)
    let result = tables.translate(0x80_1234_5678, .userRead)
    #expect(result == .translated(PhysicalAddress(0x1234_5678)!))
  }

  @Test func patBitInPageTableEntryDoesNotMakeAHugePage() {
    let tables = HandBuiltTables()
    let frame = HandBuiltTables.dataFrame(2)
    tables.map(0x40_0000, to: frame, flags: [.present, .pageAttributeTable4KiB])
    #expect(
      tables.translate(0x40_0008, .supervisorRead) == .translated(frame.address.advanced(by: 8)))
    #expect(tables.mmu.walk(VirtualAddress(canonical: 0x40_0000)).mapping?.size == .size4KiB)
  }

  @Test func bytesWrittenThroughTheMMULandInTheMappedFrame() {
    let tables = HandBuiltTables()
    let frame = HandBuiltTables.dataFrame(4)
    tables.map(0x7000_0000, to: frame)
    let address = VirtualAddress(canonical: 0x7000_0123)
    #expect(tables.mmu.write(0x5a, at: address, mode: .user).fault == nil)
    #expect(tables.ram.read(at: frame.address.advanced(by: 0x123)) == 0x5a)
    #expect(tables.mmu.read(at: address, mode: .user) == .success(0x5a))
  }

  @Test func multiByteCopiesCrossPagesAndStopAtTheFirstFault() {
    let tables = HandBuiltTables()
    tables.map(0x1000, to: HandBuiltTables.dataFrame(0))
    tables.map(0x2000, to: HandBuiltTables.dataFrame(1))
    let start = VirtualAddress(canonical: 0x1ffe)
    #expect(tables.mmu.write([1, 2, 3, 4], at: start, mode: .user).fault == nil)
    #expect(tables.mmu.read(count: 4, from: start, mode: .user) == .success([1, 2, 3, 4]))
    let overrun = tables.mmu.read(count: 3, from: VirtualAddress(canonical: 0x2fff), mode: .user)
    #expect(
      overrun.fault == .pageFault(address: VirtualAddress(canonical: 0x3000), errorCode: .user))
  }

  @Test func changingCR3SwitchesToTheOtherTables() {
    let tables = HandBuiltTables()
    tables.map(0x1000, to: HandBuiltTables.dataFrame(0))
    #expect(tables.translate(0x1000, .userRead).physicalAddress != nil)
    let otherRoot = tables.newTable()
    tables.mmu.rootTable = otherRoot
    #expect(tables.translate(0x1000, .userRead) == HandBuiltTables.fault(0x1000, .user))
  }
}
