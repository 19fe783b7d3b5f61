import KernelMemory
import KernelMemoryEmulation

/// Rows for fork with copy-on-write: forking a process whose pages are all touched (copying
/// its page tables and sharing every frame), and a copy-on-write write fault in the child —
/// each per page, on the host against emulated RAM (as the page-map rows).
func runForkBenchmarks(into table: inout BenchTable) {
  let bench = ForkBench()
  table.add(
    "fork + child exit (touched pages)", memory: "16 MiB", detail: "per page",
    nanoseconds: bench.forkNanoseconds())
  table.add(
    "copy-on-write write fault (child)", memory: "16 MiB", detail: "per page",
    nanoseconds: bench.copyOnWriteNanoseconds())
}

/// A parent process with `pages` touched private pages on 64 MiB of emulated RAM.
final class ForkBench {
  static let pages: UInt64 = 4096
  static let base: UInt64 = 0x10_0000_0000
  let ram = EmulatedRAM(megabytes: 64)
  let storage: UnsafeMutableBufferPointer<UInt64>
  let records: UnsafeMutableBufferPointer<FrameInfo>
  let physical: PhysicalMemoryContext<FrameBitmap>
  let parent: AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>

  init() {
    let memoryMap = MemoryMap([MemoryMapEntry(start: 0, length: ram.byteCount, kind: .usable)])
    storage = .allocate(
      capacity: FrameBitmap.requiredStorageWords(frameCount: memoryMap.frameLimit))
    var frames = try! FrameBitmap(
      memoryMap: memoryMap, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    records = .allocate(capacity: FrameTable.requiredStorageRecords(frameCount: ram.frameCount))
    let map = try! PageMap(memory: ram, frames: &frames)
    physical = PhysicalMemoryContext(
      frames: frames, commitLimit: frames.freeFrameCount,
      frameTable: FrameTable(frameCount: ram.frameCount, storage: records), zeroPage: nil)
    parent = AddressSpace(pageMap: map, tlb: InstantTLB(), physical: physical)
    let pageBytes = PageSize.size4KiB.bytes
    _ = try! parent.reserve(
      length: Self.pages * pageBytes, protection: [.read, .write], at: .fixed(Self.base))
    for index in 0..<Self.pages { Self.write(parent, Self.base + index * pageBytes) }
  }

  deinit {
    parent.tearDown()
    storage.deallocate()
    records.deallocate()
  }

  /// A resolved user write fault at `address`.
  static func write(_ space: AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>, _ address: UInt64)
  {
    let fault = PageFault(address: address, errorCode: [.user, .write], origin: .user)
    guard case .resolved = space.handlePageFault(fault) else {
      fatalError("memory-bench: write fault not resolved")
    }
  }

  /// A child of the parent (fork).
  func fork() -> AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap> {
    let map = try! PageMap(memory: ram, frames: &physical.frames)
    return try! parent.fork(into: map)
  }

  /// Per page: fork, and the child's exit (its tables freed, each frame's count dropped).
  func forkNanoseconds() -> Double {
    nanosecondsPerOperation(operations: Int(Self.pages)) { forks(1) }
  }

  /// `count` forks whose child exits at once.
  func forks(_ count: Int) {
    for _ in 0..<count { fork().tearDown() }
  }

  /// Per page: a write fault in a fresh child (a copy of the page), its share of the fork
  /// and exit excluded.
  func copyOnWriteNanoseconds() -> Double {
    var child: AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>? = nil
    let result = nanosecondsPerOperation(
      operations: Int(Self.pages),
      setUp: {
        child?.tearDown()
        child = fork()
      }
    ) { copyOnWrite(child!) }
    child?.tearDown()
    return result
  }

  /// A write fault on each of the first `pages` pages of `child`.
  func copyOnWrite(
    _ child: AddressSpace<EmulatedRAM, InstantTLB, FrameBitmap>, pages: UInt64 = ForkBench.pages
  ) {
    let pageBytes = PageSize.size4KiB.bytes
    for index in 0..<pages { Self.write(child, Self.base + index * pageBytes) }
  }
}
