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

  init() {
    let memoryMap = MemoryMap([MemoryMapEntry(start: 0, length: ram.byteCount, kind: .usable)])
    storage = .allocate(
      capacity: FrameBitmap.requiredStorageWords(frameCount: memoryMap.frameLimit))
    frames = try! FrameBitmap(
      memoryMap: memoryMap, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    map = try! PageMap(memory: ram, frames: &frames)
  }

  deinit { storage.deallocate() }

  /// Maps and unmaps one page repeatedly. With `reusingTables` a neighbour keeps its page table
  /// alive; without, every map builds a PDPT, PD and PT and every unmap reclaims them.
  func mapUnmapNanoseconds(reusingTables: Bool) -> Double {
    let page = VirtualAddress(0x10_0000_0000)!
    let neighbour = VirtualAddress(0x10_0000_1000)!
    let frame = frames.allocateFrame()!
    if reusingTables { try! map.map(neighbour, to: frame, flags: [.writable], frames: &frames) }
    let result = nanosecondsPerOperation(operations: Self.operations) {
      for _ in 0..<Self.operations {
        try! map.map(page, to: frame, flags: [.writable, .user], frames: &frames)
        consume(try! map.unmap(page).flush(InstantTLB(), returningTablesTo: &frames).number)
      }
    }
    if reusingTables {
      _ = try! map.unmap(neighbour).flush(InstantTLB(), returningTablesTo: &frames)
    }
    frames.releaseFrame(frame)
    return result
  }

  /// Translates addresses inside one mapped page of `size`.
  func translateNanoseconds(size: PageSize) -> Double {
    let page = VirtualAddress(0x20_0000_0000)!
    let frame = try! frames.allocate(size)
    try! map.map(page, to: frame, size: size, flags: [.writable], frames: &frames)
    let result = nanosecondsPerOperation(operations: Self.operations) {
      for index in 0..<UInt64(Self.operations) {
        consume(map.translate(page.adding(index & size.offsetMask)!)!.value)
      }
    }
    _ = try! map.unmap(page).flush(InstantTLB(), returningTablesTo: &frames)
    try! frames.free(frame, size: size)
    return result
  }

  /// Per page: a write fault on reserved memory (zeroed frame, map) and its share of releasing
  /// the region (unmap, free) — the core's part of the kernel's demand-paging path.
  func demandFaultNanoseconds() -> Double {
    let space = AddressSpace(pageMap: map, tlb: InstantTLB(), zeroPage: nil)
    var commit = CommitLedger(limit: frames.freeFrameCount)
    let pageBytes = PageSize.size4KiB.bytes
    return nanosecondsPerOperation(operations: Int(Self.faultPages)) {
      var process = space
      let range = try! process.reserve(
        length: Self.faultPages * pageBytes, protection: [.read, .write], commit: &commit,
        frames: &frames)
      for index in 0..<Self.faultPages {
        let fault = PageFault(
          address: range.start + index * pageBytes, errorCode: [.user, .write], origin: .user)
        guard case .resolved = process.handlePageFault(fault, frames: &frames) else {
          fatalError("memory-bench: demand fault not resolved")
        }
      }
      try! process.release(
        start: range.start, length: range.length, commit: &commit, frames: &frames)
    }
  }
}
