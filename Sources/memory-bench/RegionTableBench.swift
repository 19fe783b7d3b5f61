import KernelMemory
import KernelMemoryEmulation

/// Rows for the region table at 100,000 regions — the attack: one-page `PROT_NONE`
/// reservations with a page free between them (they cost no commit and never merge), then
/// placement, splitting and one release over them all. The space's region limit is raised
/// for this (Linux's default is 65,530).
func runRegionTableBenchmarks(into table: inout BenchTable) {
  let bench = RegionTableBench()
  let count = "100k regions"
  table.add(
    "reserve 1 page with gaps (fixed)", memory: "-", detail: "0→100k",
    nanoseconds: bench.reserveNanoseconds())
  table.add(
    "mmap placement below 100k gaps", memory: "-", detail: count,
    nanoseconds: bench.placementNanoseconds())
  table.add(
    "mprotect mid page (2 splits)", memory: "-", detail: count,
    nanoseconds: bench.splitNanoseconds())
  let release = bench.releaseNanoseconds()
  table.add(
    "munmap whole span, per region", memory: "-", detail: count,
    nanoseconds: release / Double(RegionTableBench.regions))
  table.add("munmap whole span, one call", memory: "-", detail: count, nanoseconds: release)
}

/// One emulated machine; every row starts from a fresh address space.
final class RegionTableBench {
  static let regions = 100_000
  static let operations = 20_000
  static let page = PageSize.size4KiB.bytes
  /// Each region is `regionPages` pages with one free page above it, ending just below the
  /// mmap ceiling, so a placement that fits in no gap must search below all of them.
  static let regionPages: UInt64 = 3
  static let stride = (regionPages + 1) * page
  static let base = UserLayout.mmapCeiling - UInt64(regions) * stride

  let ram = EmulatedRAM(megabytes: 16)
  let storage: UnsafeMutableBufferPointer<UInt64>
  var frames: FrameBitmap
  /// The frame table's storage.
  let records: UnsafeMutableBufferPointer<FrameInfo>
  /// The context every fresh space shares.
  let physical: PhysicalMemoryContext<FrameBitmap>

  init() {
    let memoryMap = MemoryMap([MemoryMapEntry(start: 0, length: ram.byteCount, kind: .usable)])
    storage = .allocate(
      capacity: FrameBitmap.requiredStorageWords(frameCount: memoryMap.frameLimit))
    frames = try! FrameBitmap(
      memoryMap: memoryMap, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    records = .allocate(capacity: FrameTable.requiredStorageRecords(frameCount: ram.frameCount))
    physical = PhysicalMemoryContext(
      frames: frames, commitLimit: UInt64.max / 2,
      frameTable: FrameTable(frameCount: ram.frameCount, storage: records), zeroPage: nil)
  }

  deinit {
    storage.deallocate()
    records.deallocate()
  }

  /// An empty address space that may hold twice the benchmark's regions.
  func emptySpace() -> AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap> {
    let map = try! PageMap(memory: ram, frames: &frames)
    return AddressSpace(
      pageMap: map, tlb: InstantTLB(), physical: physical, regionLimit: 2 * Self.regions)
  }

  /// Reserves the benchmark's regions in `space`, lowest first.
  func fill(_ space: inout AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>) {
    for index in 0..<UInt64(Self.regions) {
      _ = try! space.reserve(
        length: Self.regionPages * Self.page, protection: .none,
        at: .fixedNoReplace(Self.base + index * Self.stride))
    }
  }

  typealias Space = AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>

  /// Nanoseconds per operation of `body` (`operations` of them), each trial on a fresh space
  /// that `prepare` filled untimed.
  func measure(
    operations: Int, prepare: (inout Space) -> Void, _ body: (inout Space) -> Void
  ) -> Double {
    var space = emptySpace()
    let result = nanosecondsPerOperation(
      operations: operations,
      setUp: {
        space.tearDown()
        space = emptySpace()
        prepare(&space)
      }
    ) { body(&space) }
    space.tearDown()
    return result
  }

  /// Per reservation, while the table grows from empty to 100k regions.
  func reserveNanoseconds() -> Double {
    measure(operations: Self.regions, prepare: { _ in }) { fill(&$0) }
  }

  /// Per `mmap` + `munmap` pair, of two pages more than any gap between the regions holds.
  func placementNanoseconds() -> Double {
    measure(operations: Self.operations, prepare: { fill(&$0) }) { space in
      for _ in 0..<Self.operations {
        let range = try! space.reserve(
          length: (Self.regionPages + 2) * Self.page, protection: .none)
        try! space.release(
          start: range.start, length: range.length)
        consume(range.start)
      }
    }
  }

  /// Per `mprotect` of a region's middle page: two splits, each of a different region.
  func splitNanoseconds() -> Double {
    measure(operations: Self.operations, prepare: { fill(&$0) }) { space in
      for index in 0..<UInt64(Self.operations) {
        let middle = Self.base + (index * 5 % UInt64(Self.regions)) * Self.stride + Self.page
        try! space.protect(start: middle, length: Self.page, protection: .read)
      }
    }
  }

  /// One `munmap` over every region.
  func releaseNanoseconds() -> Double {
    measure(operations: 1, prepare: { fill(&$0) }) { space in
      try! space.release(
        start: Self.base, length: UInt64(Self.regions) * Self.stride)
    }
  }
}
