import Testing

@testable import KernelMemory

/// The swap-slot allocator and the swap entry's encoding.
@Suite struct SwapSlotMapTests {
  @Test func slotsComeInOrderSkippingTheHeaderAndBadSlots() {
    var map = SwapSlotMap(slotCount: 10, badSlots: [3, 4, 12])
    #expect(map.usableSlots == 7 && map.freeSlots == 7)
    var handed: [UInt32] = []
    while let slot = map.allocate() { handed.append(slot.number) }
    #expect(handed == [1, 2, 5, 6, 7, 8, 9])
    #expect(map.usedSlots == 7 && map.freeSlots == 0)
  }

  @Test func aSlotIsFreeWhenItsLastHolderAndItsIOAreGone() {
    var map = SwapSlotMap(slotCount: 4)
    let slot = map.allocate()!
    #expect(map.references(of: slot) == 1 && map.isInUse(slot))
    map.retain(slot)
    let afterFirst = map.release(slot)
    #expect(afterFirst == 1 && map.isInUse(slot))
    let afterSecond = map.release(slot)
    #expect(afterSecond == 0 && map.isInUse(slot))  // the write still holds it
    let freed = map.endIO(slot)
    #expect(freed)
    #expect(!map.isInUse(slot) && map.usedSlots == 0)
  }

  @Test func allocationMovesToAWhollyFreeClusterSoABatchStaysContiguous() {
    let cluster = SwapSlotMap.clusterSize
    var map = SwapSlotMap(slotCount: 4 * cluster)
    var slots: [SwapSlot] = []
    for _ in 0..<(2 * cluster) { slots.append(map.allocate()!) }
    // Free every other slot of the first cluster: fragmented, but not wholly free.
    for index in stride(from: 1, to: cluster - 1, by: 2) {
      _ = map.release(slots[index])
      _ = map.endIO(slots[index])
    }
    // Slots 1 ... 2 * cluster are taken (slot 0 is the header), so the cursor is in the third
    // cluster: the next slots follow on there, not in the first cluster's holes.
    let next = (0..<8).map { _ in map.allocate()!.number }
    #expect(next == (0..<8).map { UInt32(2 * cluster + 1 + $0) })
  }

  @Test func aFullAreaHandsOutNothingAndAFreedSlotIsFoundAgain() {
    var map = SwapSlotMap(slotCount: 600)
    var slots: [SwapSlot] = []
    while let slot = map.allocate() { slots.append(slot) }
    let beyond = map.allocate()
    #expect(slots.count == 599 && beyond == nil)
    _ = map.release(slots[300])
    _ = map.endIO(slots[300])
    let again = map.allocate()
    #expect(again == slots[300])
  }

  @Test func aSwapEntryRoundTripsAndIsNeverEmptyPresentOrAForeignEntry() {
    for number: UInt32 in [1, 2, 4095, 1 << 20, UInt32.max] {
      let entry = SwapEntry(slot: SwapSlot(number: number))
      let raw = entry.pageTableEntry
      #expect(!raw.isPresent && !raw.isUnused)
      #expect(raw.swapEntry == entry)
    }
    #expect(PageTableEntry.empty.swapEntry == nil)
    #expect(PageTableEntry(rawValue: SwapEntry.marker).swapEntry == nil)  // slot 0: the header
    let present = PageTableEntry(
      frame: PhysicalFrame(number: 7), flags: [.present, .writable, .user])
    #expect(present.swapEntry == nil)
    // Present with the marker bit (a software bit the CPU ignores) is still a mapping.
    #expect(PageTableEntry(rawValue: present.rawValue | SwapEntry.marker).swapEntry == nil)
    // A non-present entry with any other bit set is not ours.
    #expect(PageTableEntry(rawValue: SwapEntry.marker | 1 << 12 | 1 << 1).swapEntry == nil)
  }
}
