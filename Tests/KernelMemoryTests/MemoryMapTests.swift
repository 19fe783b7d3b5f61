import KernelMemory
import Testing

@Suite struct MemoryMapTests {
  @Test func rangesClampInsteadOfOverflowing() {
    let huge = PhysicalRange(start: 0xffff_ffff_ffff_f000, length: 0x2000)
    #expect(huge.isEmpty)
    let wrapping = PhysicalRange(start: 0x1000, length: UInt64.max)
    #expect(wrapping.end == PhysicalRange.addressLimit)
    let inverted = PhysicalRange(start: 0x5000, end: 0x1000)
    #expect(inverted.isEmpty && inverted.length == 0)
  }

  @Test func usableShrinksInwardReservedGrowsOutward() {
    let range = PhysicalRange(start: 0x1800, end: 0x5800)
    #expect(range.framesInside == 2..<5)
    #expect(range.framesTouched == 1..<6)
    let withinOneFrame = PhysicalRange(start: 0x1100, end: 0x1f00)
    #expect(withinOneFrame.framesInside.isEmpty)
    #expect(withinOneFrame.framesTouched == 1..<2)
    #expect(PhysicalRange(start: 0x3000, length: 0).framesTouched.isEmpty)
  }

  @Test func firmwareTypesMapToKinds() {
    #expect(MemoryRegionKind(firmwareType: 1) == .usable)
    #expect(MemoryRegionKind(firmwareType: 3) == .acpiReclaimable)
    #expect(MemoryRegionKind(firmwareType: 4) == .acpiNonVolatile)
    #expect(MemoryRegionKind(firmwareType: 5) == .badMemory)
    #expect(MemoryRegionKind(firmwareType: 0) == .reserved)
    #expect(MemoryRegionKind(firmwareType: 99) == .reserved)
    #expect(MemoryRegionKind.allCases.filter(\.isUsable) == [.usable])
  }

  @Test func frameLimitIgnoresReservedEntriesAboveRam() {
    let map = MemoryMap([
      MemoryMapEntry(start: 0x10_0000, length: 0x7f0_0000 + 0x123, kind: .usable),
      MemoryMapEntry(start: 0xfec0_0000, length: 0x1000, kind: .reserved),
      MemoryMapEntry(start: 0, length: 0x9_fc00, kind: .usable),
    ])
    #expect(map.frameLimit == 0x8000)
    #expect(MemoryMap([MemoryMapEntry]()).frameLimit == 0)
  }

  @Test func nonUsableWinsOverlapsInAnyOrder() {
    let usable = MemoryMapEntry(start: 0, length: 0x10_0000, kind: .usable)
    let acpi = MemoryMapEntry(start: 0x4800, length: 0x1000, kind: .acpiReclaimable)
    for entries in [[usable, acpi], [acpi, usable]] {
      let map = MemoryMap(entries)
      #expect(map.isUsable(PhysicalFrame(number: 3)))
      #expect(!map.isUsable(PhysicalFrame(number: 4)))
      #expect(!map.isUsable(PhysicalFrame(number: 5)))
      #expect(map.isUsable(PhysicalFrame(number: 6)))
    }
  }

  @Test func overlappingUsableEntriesUnite() {
    let map = MemoryMap([
      MemoryMapEntry(start: 0x1000, length: 0x3000, kind: .usable),
      MemoryMapEntry(start: 0x2000, length: 0x4000, kind: .usable),
      MemoryMapEntry(start: 0x9000, length: 0x800, kind: .usable),
    ])
    #expect((1..<6).allSatisfy { map.isUsable(PhysicalFrame(number: $0)) })
    #expect(!map.isUsable(PhysicalFrame(number: 6)))
    #expect(!map.isUsable(PhysicalFrame(number: 9)))
  }

  @Test func findFreeFramesSkipsReservationsAndNonUsable() {
    let map = MemoryMap([
      MemoryMapEntry(start: 0, length: 0x9_f000, kind: .usable),
      MemoryMapEntry(start: 0x10_0000, length: 0x100_0000, kind: .usable),
      MemoryMapEntry(start: 0x20_0800, length: 0x100, kind: .badMemory),
    ])
    let reserved = [
      PhysicalRange(start: 0, end: 0x10_0000), PhysicalRange(start: 0x10_0000, length: 0x8_0000),
    ]
    let frame = map.findFreeFrames(count: 0x100, avoiding: reserved)
    #expect(frame == PhysicalFrame(number: 0x201))
    #expect(map.findFreeFrames(count: 0x10_0000, avoiding: reserved) == nil)
    #expect(map.findFreeFrames(count: 0, avoiding: reserved) == nil)
    let small = map.findFreeFrames(count: 4, avoiding: [PhysicalRange]())
    #expect(small == PhysicalFrame(number: 0))
  }

  @Test func bitmapPlacedByFindFreeFramesCoversItself() throws {
    let entries = [
      MemoryMapEntry(start: 0, length: 0x9_fc00, kind: .usable),
      MemoryMapEntry(start: 0x10_0000, length: 64 * testMiB, kind: .usable),
    ]
    let map = MemoryMap(entries)
    let lowMemory = PhysicalRange(start: 0, end: testMiB)
    let frames = FrameBitmap.requiredStorageFrames(frameCount: map.frameLimit)
    let place = try #require(map.findFreeFrames(count: frames, avoiding: [lowMemory]))
    let storageRange = PhysicalRange(first: place, count: frames)
    #expect(!storageRange.overlaps(lowMemory))
    let fixture = try BitmapFixture(entries, reserving: [lowMemory, storageRange])
    #expect(!fixture.bitmap.isUsable(place))
    #expect(!fixture.bitmap.isUsable(place.advanced(by: frames - 1)))
    #expect(fixture.bitmap.isUsable(place.advanced(by: frames)))
  }
}
