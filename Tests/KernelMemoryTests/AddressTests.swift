import KernelMemory
import Testing

@Suite struct AddressTests {
  @Test func canonicalBoundaries() {
    #expect(VirtualAddress(0x0000_7fff_ffff_ffff) != nil)
    #expect(VirtualAddress(0x0000_8000_0000_0000) == nil)
    #expect(VirtualAddress(0xffff_7fff_ffff_ffff) == nil)
    #expect(VirtualAddress(0xffff_8000_0000_0000) != nil)
    #expect(VirtualAddress(0) != nil)
  }

  @Test func tableIndices() {
    let address = VirtualAddress(canonical: 0xffff_ffff_8012_3456)
    #expect(address.pml4Index == 511)
    #expect(address.pdptIndex == 510)
    #expect(address.pageDirectoryIndex == 0)
    #expect(address.pageTableIndex == 0x123)
    #expect(address.pageOffset == 0x456)
  }

  @Test func addingRefusesToCrossIntoTheHole() {
    let lastUserPage = VirtualAddress(canonical: 0x0000_7fff_ffff_f000)
    #expect(lastUserPage.adding(0xfff)?.value == 0x0000_7fff_ffff_ffff)
    #expect(lastUserPage.adding(0x1000) == nil)
    #expect(VirtualAddress(canonical: 0xffff_ffff_ffff_f000).adding(0x1000) == nil)
  }

  @Test func rangeValidation() throws {
    #expect(throws: VirtualRange.Problem.zeroLength) { try VirtualRange(start: 0x1000, length: 0) }
    #expect(throws: VirtualRange.Problem.misaligned) { try VirtualRange(start: 0x1001, length: 1) }
    #expect(throws: VirtualRange.Problem.overflow) {
      try VirtualRange(start: 0x1000, length: UInt64.max)
    }
    #expect(throws: VirtualRange.Problem.overflow) {
      try VirtualRange(start: 0x0000_7fff_ffff_f000, length: 0x2000)
    }
    #expect(throws: VirtualRange.Problem.nonCanonical) {
      try VirtualRange(start: 0x0000_8000_0000_0000, length: 0x1000)
    }
    let range = try VirtualRange(start: 0x0000_7fff_ffff_e000, length: 0x1001)
    #expect(range.end == 0x0000_8000_0000_0000)
    #expect(range.pageCount == 2)
  }

  @Test func entryFlagsAndFrame() {
    let entry = PageTableEntry(
      frame: PhysicalFrame(number: 0x1234), flags: [.present, .writable, .noExecute])
    #expect(entry.address.value == 0x123_4000)
    #expect(entry.flags == [.present, .writable, .noExecute])
    #expect(entry.isPresent && !entry.isHuge)
  }
}
