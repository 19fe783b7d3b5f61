import KernelMemory
import KernelMemoryEmulation

#if canImport(Glibc)
  import Glibc
#endif

/// The frame allocator's rows: single frames at every size × occupancy, random-order frees, 2 MiB
/// contiguous runs, and the cost of building the bitmap.
func runFrameBenchmarks(into table: inout BenchTable) {
  // Untimed warm-up, so the first row does not pay for the CPU leaving a low-power state.
  _ = pairNanoseconds(BenchBitmap(bytes: FrameBenchConfig.memorySizes[0], occupiedPercent: 0))
  for bytes in FrameBenchConfig.memorySizes {
    for percent in FrameBenchConfig.occupancies {
      addSingleFrameRows(bytes: bytes, occupiedPercent: percent, to: &table)
    }
    addContiguousRows(bytes: bytes, to: &table)
    table.add(
      "bitmap build from memory map", memory: sizeLabel(bytes), detail: "-",
      nanoseconds: buildNanoseconds(bytes: bytes))
  }
}

/// Single frames in memory of `bytes` with `occupiedPercent` of it allocated at random.
func addSingleFrameRows(bytes: UInt64, occupiedPercent percent: Int, to table: inout BenchTable) {
  let bench = BenchBitmap(bytes: bytes, occupiedPercent: percent)
  let memory = sizeLabel(bytes)
  let detail = String(percent) + "%"
  table.add(
    "frame alloc+free pair", memory: memory, detail: detail,
    nanoseconds: pairNanoseconds(bench))
  table.add(
    "frame batch alloc, shuffled free", memory: memory, detail: detail,
    nanoseconds: batchNanoseconds(bench))
  guard percent > 0 else { return }
  let (free, allocate) = randomFreeNanoseconds(bench)
  table.add("frame free, random order", memory: memory, detail: detail, nanoseconds: free)
  table.add(
    "frame alloc after random frees", memory: memory, detail: detail, nanoseconds: allocate)
}

/// 2 MiB pages: in empty memory, with half the blocks pinned, and a search that must fail.
func addContiguousRows(bytes: UInt64, to table: inout BenchTable) {
  let memory = sizeLabel(bytes)
  let empty = BenchBitmap(bytes: bytes, occupiedPercent: 0)
  table.add(
    "2 MiB contiguous alloc+free", memory: memory, detail: "0%",
    nanoseconds: hugePairNanoseconds(empty))
  let pinned = BenchBitmap(bytes: bytes, occupiedPercent: 0)
  pinned.pinHalfOfTheHugeBlocks()
  table.add(
    "2 MiB contiguous alloc+free", memory: memory, detail: "1/2 blk",
    nanoseconds: hugePairNanoseconds(pinned))
  let fragmented = BenchBitmap(bytes: bytes, occupiedPercent: 50)
  table.add(
    "2 MiB no fit: first search", memory: memory, detail: "50%",
    nanoseconds: failedHugeNanoseconds(fragmented, searches: 1, trials: 1))
  table.add(
    "2 MiB no fit: repeated search", memory: memory, detail: "50%",
    nanoseconds: failedHugeNanoseconds(fragmented, searches: FrameBenchConfig.failedHugeSearches))
}

/// The sizes and fill levels the table covers, and how much work each row does.
enum FrameBenchConfig {
  static let mebibyte: UInt64 = 1 << 20
  static let gibibyte: UInt64 = 1 << 30
  static let memorySizes: [UInt64] = [
    128 * mebibyte, gibibyte, 16 * gibibyte, 256 * gibibyte, 1024 * gibibyte,
  ]
  static let occupancies = [0, 50, 90, 99]
  /// Pairs per trial of the single-frame pair row.
  static let pairs = 2_000_000
  /// Frames allocated, then freed in shuffled order, per batch (capped by the free frames).
  static let batchFrames = 4096
  /// Single-frame operations per trial of the batch row.
  static let batchOperations = 1_000_000
  /// Frames freed per trial of the random-free row.
  static let randomFrees = 100_000
  /// Pairs per trial of the 2 MiB rows.
  static let hugePairs = 100_000
  /// Repeated failing 2 MiB searches per trial.
  static let failedHugeSearches = 100_000
  /// Trials of the build row (each rewrites up to 64 MiB).
  static let buildTrials = 3
  /// The firmware's and BIOS's first MiB, reserved as the kernel will.
  static let lowMemory = PhysicalRange(start: 0, end: mebibyte)
  static let seed: UInt64 = 0x0b17_ba5e_f4a3_e5b1
}

/// A bitmap over `bytes` of RAM in host memory, with `occupiedPercent` of its frames allocated at
/// random (so the free ones are scattered, the worst case for locality).
///
/// The `FrameBitmap` handle does not own its storage: keep the `BenchBitmap` itself (not just its
/// `bitmap`) alive while measuring, which is why the measuring functions take it whole.
final class BenchBitmap {
  let storage: UnsafeMutableBufferPointer<UInt64>
  let bitmap: FrameBitmap
  var random = SplitMix64(seed: FrameBenchConfig.seed)

  init(bytes: UInt64, occupiedPercent: Int) {
    let map = MemoryMap([MemoryMapEntry(start: 0, length: bytes, kind: .usable)])
    storage = hugePageBackedWords(FrameBitmap.requiredStorageWords(frameCount: map.frameLimit))
    bitmap = try! FrameBitmap(
      memoryMap: map, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    occupy(percent: occupiedPercent)
  }

  deinit { Glibc.free(storage.baseAddress) }

  /// Allocates everything in one run, then frees each frame with probability 1 - `percent`/100.
  private func occupy(percent: Int) {
    guard percent > 0 else { return }
    let first = try! bitmap.allocateContiguous(count: bitmap.freeFrameCount)
    let keepFreeBelow = UInt64(100 - percent) * (UInt64.max / 100)
    for number in first.number..<bitmap.frameCount where random.next() < keepFreeBelow {
      try! bitmap.free(PhysicalFrame(number: number))
    }
  }

  /// Leaves one frame allocated in a random half of the 2 MiB blocks and frees the rest, so a
  /// contiguous search must skip pinned blocks (and no free run ever spans a pinned block).
  func pinHalfOfTheHugeBlocks() {
    let blockFrames = PageSize.size2MiB.frameCount
    let first = try! bitmap.allocateContiguous(count: bitmap.freeFrameCount)
    var block = first.number
    while block < bitmap.frameCount {
      let end = min((block / blockFrames + 1) * blockFrames, bitmap.frameCount)
      let pinned = random.next() & 1 == 0
      let start = pinned ? block + 1 : block
      if start < end { try! bitmap.free(PhysicalFrame(number: start), count: end - start) }
      block = end
    }
  }

  /// `count` distinct allocated frames picked uniformly at random.
  func randomAllocatedFrames(_ count: Int) -> [PhysicalFrame] {
    var picked = Set<UInt64>()
    while picked.count < count {
      let number = random.next() % bitmap.frameCount
      let frame = PhysicalFrame(number: number)
      if bitmap.isUsable(frame) && !bitmap.isFree(frame) { picked.insert(number) }
    }
    var frames = picked.map { PhysicalFrame(number: $0) }
    frames.shuffle(using: &random)
    return frames
  }
}

/// `count` words of zeroed host memory, 2 MiB aligned and marked for transparent huge pages.
///
/// The kernel reaches its bitmap through the direct map, which uses 2 MiB and 1 GiB pages; with
/// the host's default 4 KiB pages a random access to a 64 MiB bitmap would mostly measure TLB
/// misses (two-dimensional page walks, in a VM) instead of the allocator.
func hugePageBackedWords(_ count: Int) -> UnsafeMutableBufferPointer<UInt64> {
  let hugePage = Int(PageSize.size2MiB.bytes)
  let bytes = (count * MemoryLayout<UInt64>.stride + hugePage - 1) / hugePage * hugePage
  var raw: UnsafeMutableRawPointer? = nil
  guard posix_memalign(&raw, hugePage, bytes) == 0, let raw else {
    fatalError("memory-bench: cannot allocate \(bytes) bytes")
  }
  #if os(Linux)
    _ = madvise(raw, bytes, MADV_HUGEPAGE)
  #endif
  memset(raw, 0, bytes)
  return UnsafeMutableBufferPointer(
    start: raw.bindMemory(to: UInt64.self, capacity: count), count: count)
}

/// Allocate one frame and free it at once: the O(1) fast path through the hint.
func pairNanoseconds(_ bench: BenchBitmap) -> Double {
  let bitmap = bench.bitmap
  let pairs = FrameBenchConfig.pairs
  return nanosecondsPerOperation(operations: pairs) {
    var total: UInt64 = 0
    for _ in 0..<pairs {
      let frame = bitmap.allocate()!
      total &+= frame.number
      try! bitmap.free(frame)
    }
    consume(total)
  }
}

/// Allocate a batch of frames, then free them in a shuffled order: walks the scattered free
/// frames and the summary tree. Reported per allocate+free pair.
func batchNanoseconds(_ bench: BenchBitmap) -> Double {
  let bitmap = bench.bitmap
  let batch = min(FrameBenchConfig.batchFrames, Int(bitmap.freeFrameCount / 2))
  let rounds = max(1, FrameBenchConfig.batchOperations / batch)
  var random = SplitMix64(seed: FrameBenchConfig.seed)
  let order = Array(0..<batch).shuffled(using: &random)
  let frames = UnsafeMutableBufferPointer<PhysicalFrame>.allocate(capacity: batch)
  defer { frames.deallocate() }
  return nanosecondsPerOperation(operations: batch * rounds) {
    for _ in 0..<rounds {
      for index in 0..<batch { frames[index] = bitmap.allocate()! }
      for index in order { try! bitmap.free(frames[index]) }
    }
  }
}

/// Free randomly chosen allocated frames in random order (cache-missing, as after a big process
/// exits), then allocate as many again. Returns (ns per free, ns per allocation).
func randomFreeNanoseconds(_ bench: BenchBitmap) -> (Double, Double) {
  let count = min(FrameBenchConfig.randomFrees, Int(bench.bitmap.usableFrameCount / 4))
  let clock = ContinuousClock()
  var bestFree = Double.infinity
  var bestAllocate = Double.infinity
  for _ in 0..<benchmarkTrials {
    let victims = bench.randomAllocatedFrames(count)
    let freeing = clock.measure {
      for frame in victims { try! bench.bitmap.free(frame) }
    }
    var total: UInt64 = 0
    let allocating = clock.measure {
      for _ in 0..<count { total &+= bench.bitmap.allocate()!.number }
    }
    consume(total)
    bestFree = min(bestFree, nanoseconds(freeing) / Double(count))
    bestAllocate = min(bestAllocate, nanoseconds(allocating) / Double(count))
  }
  return (bestFree, bestAllocate)
}

/// Allocate a 2 MiB page (512 frames aligned to 512) and free it.
func hugePairNanoseconds(_ bench: BenchBitmap) -> Double {
  let bitmap = bench.bitmap
  let pairs = FrameBenchConfig.hugePairs
  return nanosecondsPerOperation(operations: pairs) {
    var total: UInt64 = 0
    for _ in 0..<pairs {
      let frame = try! bitmap.allocate(.size2MiB)
      total &+= frame.number
      try! bitmap.free(frame, size: .size2MiB)
    }
    consume(total)
  }
}

/// 2 MiB requests in memory where no aligned 512-frame run is free. The first scans the whole
/// bitmap (up to the first entirely free word, of which there is none); later ones start where it
/// stopped, until a free makes a whole word free below that point.
func failedHugeNanoseconds(
  _ bench: BenchBitmap, searches: Int, trials: Int = benchmarkTrials
) -> Double {
  let bitmap = bench.bitmap
  return nanosecondsPerOperation(operations: searches, trials: trials) {
    for _ in 0..<searches {
      precondition((try? bitmap.allocate(.size2MiB)) == nil, "a 2 MiB run was free")
    }
  }
}

/// Building the allocator from a one-entry map of `bytes` (the whole storage is rewritten).
func buildNanoseconds(bytes: UInt64) -> Double {
  let map = MemoryMap([MemoryMapEntry(start: 0, length: bytes, kind: .usable)])
  let storage = hugePageBackedWords(FrameBitmap.requiredStorageWords(frameCount: map.frameLimit))
  defer { Glibc.free(storage.baseAddress) }
  return nanosecondsPerOperation(operations: 1, trials: FrameBenchConfig.buildTrials) {
    let bitmap = try! FrameBitmap(
      memoryMap: map, reserving: [FrameBenchConfig.lowMemory], storage: storage)
    consume(bitmap.freeFrameCount)
  }
}
