import KernelMemory
import KernelMemoryEmulation

/// Rows for the page tables and the page trap: map+unmap, translate, and a demand fault, on the
/// host against emulated RAM (a final class over one calloc'd buffer, so a table access is a
/// load or store plus a call) and a TLB whose invalidation is free, as `invlpg` nearly is.
func runPageMapBenchmarks(into table: inout BenchTable) {
  let bench = PageMapBench()
  table.add(
    "map+unmap 4 KiB (tables exist)", memory: "64 MiB", detail: "-",
    nanoseconds: bench.mapUnmapNanoseconds(reusingTables: true))
  table.add(
    "map+unmap 4 KiB (create+reclaim)", memory: "64 MiB", detail: "3 tables",
    nanoseconds: bench.mapUnmapNanoseconds(reusingTables: false))
  table.add(
    "translate 4 KiB page", memory: "64 MiB", detail: "-",
    nanoseconds: bench.translateNanoseconds(size: .size4KiB))
  table.add(
    "translate 2 MiB page", memory: "64 MiB", detail: "-",
    nanoseconds: bench.translateNanoseconds(size: .size2MiB))
  table.add(
    "demand fault + release (write)", memory: "64 MiB", detail: "per page",
    nanoseconds: bench.demandFaultNanoseconds())
  table.add(
    "mmap+write+munmap 1 page (churn)", memory: "64 MiB", detail: "per page",
    nanoseconds: bench.churnNanoseconds())
}

/// A TLB that forgets instantly: the benchmark measures the tables, not an emulated TLB.
struct InstantTLB: TranslationCache {
  func invalidate(_ address: VirtualAddress) {}
  func invalidateAll() {}
}

/// One emulated machine shared by the page-map rows.
final class PageMapBench {
  static let operations = 200_000
  static let faultPages: UInt64 = 4096
  let ram = EmulatedRAM(megabytes: 64)
  let storage: UnsafeMutableBufferPointer<UInt64>
  var frames: FrameBitmap
  let map: PageMap<EmulatedRAM>
  /// The frame table's storage.
  let records: UnsafeMutableBufferPointer<FrameInfo>
  /// The physical-memory context the demand-fault row's address spaces share (its bitmap is a
  /// copy of `frames`' handle: one allocator).
  let physical: PhysicalMemoryContext<FrameBitmap>

  init() {
    let memoryMap = MemoryMap([MemoryMapEntry(start: 0, length: ram.byteCount, kind: .usable)])
    storage = .allocate(
      capacity: FrameBitmap.requiredStorageWords(frameCount: memoryMap.frameLimit))
    frames = try! FrameBitmap(
      memoryMap: memoryMap, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    map = try! PageMap(memory: ram, frames: &frames)
    records = .allocate(capacity: FrameTable.requiredStorageRecords(frameCount: ram.frameCount))
    physical = PhysicalMemoryContext(
      frames: frames, commitLimit: frames.freeFrameCount,
      frameTable: FrameTable(frameCount: ram.frameCount, storage: records), zeroPage: nil)
  }

  deinit {
    storage.deallocate()
    records.deallocate()
  }

  /// Maps and unmaps one page repeatedly. With `reusingTables` a neighbour keeps its page table
  /// alive; without, every map builds a PDPT, PD and PT and every unmap reclaims them.
  func mapUnmapNanoseconds(reusingTables: Bool) -> Double {
    withNeighbour(reusingTables) {
      nanosecondsPerOperation(operations: Self.operations) { mapUnmap(Self.operations) }
    }
  }

  /// Translates addresses inside one mapped page of `size`.
  func translateNanoseconds(size: PageSize) -> Double {
    withMappedPage(size) {
      nanosecondsPerOperation(operations: Self.operations) { translate(Self.operations, size) }
    }
  }

  /// Per page: a write fault on reserved memory (zeroed frame, map) and its share of releasing
  /// the region (unmap, free) — the core's part of the kernel's demand-paging path.
  func demandFaultNanoseconds() -> Double {
    nanosecondsPerOperation(operations: Int(Self.faultPages)) { demandFaults(Self.faultPages) }
  }

  /// Per page: pagefault-bench's `mmap-churn` in the core — reserve one page, take its write
  /// fault, release it — in a space that holds a few other regions, as a process does.
  func churnNanoseconds() -> Double {
    nanosecondsPerOperation(operations: Int(Self.faultPages)) { churn(Self.faultPages) }
  }

  // MARK: Fixed amounts of work (also what `CallgrindMode` counts)

  /// The regions a small process holds besides the churned page (text, data, heap, stack…).
  static let churnNeighbours = 8

  /// `pages` rounds of reserve one page anywhere, write fault on it, release it.
  func churn(_ pages: UInt64) {
    guard pages > 0 else { return }
    let process = AddressSpace(pageMap: map, tlb: InstantTLB(), physical: physical)
    let pageBytes = PageSize.size4KiB.bytes
    var neighbours: [VirtualRange] = []
    for index in 0..<Self.churnNeighbours {
      let protection: Protection = index % 2 == 0 ? [.read, .write] : .read
      neighbours.append(try! process.reserve(length: 4 * pageBytes, protection: protection))
    }
    for _ in 0..<pages {
      let range = try! process.reserve(length: pageBytes, protection: [.read, .write])
      let fault = PageFault(address: range.start, errorCode: [.user, .write], origin: .user)
      guard case .resolved = process.handlePageFault(fault) else {
        fatalError("memory-bench: churn fault not resolved")
      }
      try! process.release(start: range.start, length: range.length)
    }
    for range in neighbours { try! process.release(start: range.start, length: range.length) }
  }

  static let page = VirtualAddress(0x10_0000_0000)!
  static let neighbour = VirtualAddress(0x10_0000_1000)!
  static let translated = VirtualAddress(0x20_0000_0000)!

  /// Runs `body` with a neighbouring page mapped (so map+unmap reuses its tables) or not.
  func withNeighbour(_ mapped: Bool, _ body: () -> Double) -> Double {
    let frame = frames.allocateFrame()!
    if mapped { try! map.map(Self.neighbour, to: frame, flags: [.writable], frames: &frames) }
    let result = body()
    if mapped { _ = try! map.unmap(Self.neighbour).flush(InstantTLB(), returningTablesTo: &frames) }
    frames.releaseFrame(frame)
    return result
  }

  /// `count` map + unmap pairs of one 4 KiB page.
  func mapUnmap(_ count: Int) {
    let frame = PhysicalFrame(number: 1)  // never touched: only the tables are written
    for _ in 0..<count {
      try! map.map(Self.page, to: frame, flags: [.writable, .user], frames: &frames)
      consume(try! map.unmap(Self.page).flush(InstantTLB(), returningTablesTo: &frames).number)
    }
  }

  /// Runs `body` with one page of `size` mapped at `translated`.
  func withMappedPage(_ size: PageSize, _ body: () -> Double) -> Double {
    let frame = try! frames.allocate(size)
    try! map.map(Self.translated, to: frame, size: size, flags: [.writable], frames: &frames)
    let result = body()
    _ = try! map.unmap(Self.translated).flush(InstantTLB(), returningTablesTo: &frames)
    try! frames.free(frame, size: size)
    return result
  }

  /// `count` translations of addresses inside the page at `translated`.
  func translate(_ count: Int, _ size: PageSize) {
    for index in 0..<UInt64(count) {
      consume(map.translate(Self.translated.adding(index & size.offsetMask)!)!.value)
    }
  }

  /// Reserves `pages` pages, takes a write fault on each, and releases them.
  func demandFaults(_ pages: UInt64) {
    guard pages > 0 else { return }
    let process = AddressSpace(pageMap: map, tlb: InstantTLB(), physical: physical)
    let pageBytes = PageSize.size4KiB.bytes
    let range = try! process.reserve(length: pages * pageBytes, protection: [.read, .write])
    for index in 0..<pages {
      let fault = PageFault(
        address: range.start + index * pageBytes, errorCode: [.user, .write], origin: .user)
      guard case .resolved = process.handlePageFault(fault) else {
        fatalError("memory-bench: demand fault not resolved")
      }
    }
    try! process.release(start: range.start, length: range.length)
  }
}
