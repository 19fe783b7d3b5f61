import KernelMemory
import Testing

/// The per-frame records: their size, and the count rules the address spaces rely on.
@Suite struct FrameTableTests {
  /// A table of `count` records over test-owned storage.
  func withTable(count: UInt64, _ body: (FrameTable) -> Void) {
    let storage = UnsafeMutableBufferPointer<FrameInfo>.allocate(
      capacity: FrameTable.requiredStorageRecords(frameCount: count))
    defer { storage.deallocate() }
    body(FrameTable(frameCount: count, storage: storage))
  }

  @Test func aRecordIsTwelveBytesWithinTheBudgetOfSixteen() {
    #expect(FrameInfo.bytesPerFrame == 12)  // 8, and the swap slot a swap-cache frame holds
    // 1 GiB of RAM: 262,144 frames, 3 MiB of records, 768 frames carved at boot.
    #expect(FrameTable.requiredStorageFrames(frameCount: 262_144) == 768)
  }

  @Test func aFrameIsFreedWhenItsLastMappingGoesAndNotBefore() {
    withTable(count: 8) { table in
      let frame = PhysicalFrame(number: 3)
      #expect(table[frame] == .unused)
      table.recordFirstMapping(of: frame)
      #expect(table[frame] == FrameInfo(mapCount: 1, state: .anonymousExclusive))
      table.recordMapping(of: frame)
      #expect(!table.recordUnmapping(of: frame))
      #expect(table.recordUnmapping(of: frame))
      #expect(table[frame] == .unused)
    }
  }

  @Test func aPinnedFrameIsNeverFreedByItsCount() {
    withTable(count: 8) { table in
      let frame = PhysicalFrame(number: 5)
      table[frame] = FrameInfo(mapCount: 1, state: [.shared, .pinned])
      #expect(!table.recordUnmapping(of: frame))
      #expect(table[frame] == FrameInfo(mapCount: 0, state: [.shared, .pinned]))
    }
  }
}
