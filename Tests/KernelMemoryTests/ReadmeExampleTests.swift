import KernelMemory
import KernelMemoryEmulation
import Testing

/// The README's example, compiled and run so the documentation cannot rot.
@Suite struct ReadmeExampleTests {
  @Test func theReadmeExampleWorks() throws {
    // Physical memory: the seed's bitmap, built from a firmware memory map.
    let ram = EmulatedRAM(megabytes: 64)
    let memoryMap = MemoryMap([MemoryMapEntry(start: 0, length: 64 << 20, kind: .usable)])
    let lowMemory = PhysicalRange(start: 0, length: 1 << 20)
    let words = FrameBitmap.requiredStorageWords(frameCount: memoryMap.frameLimit)
    let storage = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: words)
    defer { storage.deallocate() }
    var frames = try FrameBitmap(memoryMap: memoryMap, reserving: [lowMemory], storage: storage)

    // Virtual memory: the seed's PageMap. Map a page, translate an address back.
    let pageMap = try PageMap(memory: ram, frames: &frames)
    let frame = frames.allocateFrame()!
    try pageMap.map(
      VirtualAddress(0x40_0000)!, to: frame, flags: [.writable, .user, .noExecute],
      frames: &frames)
    let physical = pageMap.translate(VirtualAddress(0x40_0123)!)
    #expect(physical == frame.address.advanced(by: 0x123))

    // A process: reserve now, back lazily in the page trap (the seed's "reallocation").
    let mmu = SoftwareMMU(ram: ram, rootTable: pageMap.root)
    // The machine's frames, commit, zero page (none here) and per-frame records, shared by
    // every address space (the kernel carves the records' storage at boot, beside the bitmap).
    let records = UnsafeMutableBufferPointer<FrameInfo>.allocate(
      capacity: FrameTable.requiredStorageRecords(frameCount: memoryMap.frameLimit))
    defer { records.deallocate() }
    let context = PhysicalMemoryContext(
      frames: frames, commitLimit: frames.freeFrameCount,
      frameTable: FrameTable(frameCount: memoryMap.frameLimit, storage: records), zeroPage: nil)
    let space = AddressSpace(pageMap: pageMap, tlb: mmu, physical: context)
    let heap = try space.reserve(length: 1 << 20, protection: [.read, .write])
    let fault = PageFault(address: heap.start, errorCode: [.user, .write], origin: .user)
    #expect(space.handlePageFault(fault) == .resolved(.zeroedFrame))
    let wild = PageFault(address: 0x10, errorCode: [.user], origin: .user)
    #expect(
      space.handlePageFault(wild)
        == .kill(KillReason(kind: .notMapped, address: 0x10, access: .read)))
  }
}
