import KernelMemory
import KernelMemoryEmulation
import Testing

/// Random firmware maps — unsorted, overlapping, unaligned, every kind — checked frame by frame
/// against the rules stated in bytes, independently of the frame arithmetic the code uses.
@Suite struct MemoryMapPropertyTests {
  static let maps = 300
  static let space: UInt64 = 4 * testMiB
  static let kinds = MemoryRegionKind.allCases

  @Test func bitmapAgreesWithTheRulesInBytes() throws {
    var random = SplitMix64(seed: 0x3e3_0a9f)
    for _ in 0..<Self.maps {
      let entries = randomEntries(&random)
      let reserved = randomRanges(&random, count: Int(random.next() % 4))
      guard MemoryMap(entries).frameLimit > 0 else { continue }
      let fixture = try BitmapFixture(entries, reserving: reserved)
      let bitmap = fixture.bitmap
      var usable: UInt64 = 0
      for frame in 0..<bitmap.frameCount {
        let expected = usableByBytes(frame, entries, reserved)
        try #require(
          bitmap.isUsable(PhysicalFrame(number: frame)) == expected,
          "frame \(frame) of \(entries) reserving \(reserved)")
        if expected { usable += 1 }
      }
      #expect(bitmap.usableFrameCount == usable)
      #expect(bitmap.isConsistent)
      try checkPlacement(MemoryMap(entries), entries, reserved, &random)
    }
  }

  /// A frame is usable when one usable entry holds all of its bytes and no other entry or
  /// reservation holds any of them.
  func usableByBytes(
    _ frame: UInt64, _ entries: [MemoryMapEntry], _ reserved: [PhysicalRange]
  ) -> Bool {
    let bytes = PhysicalRange(start: frame * testFrameBytes, length: testFrameBytes)
    let covered = entries.contains {
      $0.kind == .usable && $0.range.start <= bytes.start && bytes.end <= $0.range.end
    }
    let blocked =
      entries.contains { $0.kind != .usable && $0.range.overlaps(bytes) }
      || reserved.contains { $0.overlaps(bytes) }
    return covered && !blocked
  }

  /// `findFreeFrames` returns only runs whose every frame is usable by the same rules.
  func checkPlacement(
    _ map: MemoryMap<[MemoryMapEntry]>, _ entries: [MemoryMapEntry], _ reserved: [PhysicalRange],
    _ random: inout SplitMix64
  ) throws {
    let count = 1 + random.next() % 64
    guard let first = map.findFreeFrames(count: count, avoiding: reserved) else { return }
    for frame in first.number..<(first.number + count) {
      try #require(usableByBytes(frame, entries, reserved), "placement \(first) + \(count)")
    }
  }

  func randomEntries(_ random: inout SplitMix64) -> [MemoryMapEntry] {
    let count = 1 + Int(random.next() % 10)
    return (0..<count).map { _ in
      let usableBias = random.next() % 2 == 0
      let kind = usableBias ? .usable : Self.kinds[Int(random.next() % UInt64(Self.kinds.count))]
      let start = random.next() % Self.space
      let length = random.next() % (Self.space / 2)
      return MemoryMapEntry(start: start, length: length, kind: kind)
    }
  }

  func randomRanges(_ random: inout SplitMix64, count: Int) -> [PhysicalRange] {
    (0..<count).map { _ in
      PhysicalRange(start: random.next() % Self.space, length: random.next() % (Self.space / 8))
    }
  }
}
