import KernelMemory
import KernelMemoryEmulation

/// `memory-bench --callgrind-PATTERN N [MiB] [occupied%]`: a fixed amount of work for
/// instruction counting (tools/callgrind-frames.sh) — allocator pairs, or page-table operations
/// on the 64 MiB emulated machine of the page-map rows (MiB and occupancy ignored there).
///
/// The set-up (building and filling the bitmap, shuffling) does not depend on N, so running with N
/// and with 0 and subtracting leaves exactly the instructions of N allocate+free pairs.
struct CallgrindMode {
  enum Pattern: String {
    /// Allocate one frame and free it at once.
    case pair = "--callgrind-pair"
    /// Allocate `batchFrames` frames, then free them in a fixed shuffled order.
    case batch = "--callgrind-batch"
    /// Allocate a 2 MiB page (512 frames aligned to 512) and free it.
    case huge = "--callgrind-huge"
    /// Map a 4 KiB page into existing tables and unmap it.
    case map = "--callgrind-map"
    /// Translate an address inside a mapped 4 KiB page.
    case translate = "--callgrind-translate"
    /// A demand write fault on reserved memory, with its share of reserving and releasing.
    case fault = "--callgrind-fault"
    /// pagefault-bench's mmap-churn in the core: reserve a page, write fault, release.
    case churn = "--callgrind-churn"
    /// Forks of a process with `ForkBench.pages` touched pages, each child exiting at once
    /// (divide by the pages too for the cost per page).
    case fork = "--callgrind-fork"
    /// Copy-on-write write faults on the first N (at most `ForkBench.pages`) pages of one
    /// fresh child.
    case copyOnWrite = "--callgrind-cow"
  }

  static let defaultMebibytes: UInt64 = 1024
  static let batchFrames = 256

  let pattern: Pattern
  let pairs: Int
  let bytes: UInt64
  let occupiedPercent: Int

  /// Parses the command line; nil when it does not ask for a callgrind run.
  init?(arguments: [String]) {
    guard arguments.count >= 3, let pattern = Pattern(rawValue: arguments[1]),
      let pairs = Int(arguments[2])
    else { return nil }
    self.pattern = pattern
    self.pairs = pairs
    let mebibytes = arguments.count > 3 ? UInt64(arguments[3]) ?? 0 : CallgrindMode.defaultMebibytes
    bytes = mebibytes << 20
    occupiedPercent = arguments.count > 4 ? Int(arguments[4]) ?? 0 : 0
  }

  func run() {
    switch pattern {
    case .map, .translate, .fault, .churn: runPageMap()
    case .fork:
      let bench = ForkBench()
      bench.forks(pairs)
      print("callgrind: \(pairs) forks of \(ForkBench.pages) pages done")
    case .copyOnWrite:
      let bench = ForkBench()
      let child = bench.fork()
      bench.copyOnWrite(child, pages: UInt64(min(pairs, Int(ForkBench.pages))))
      child.tearDown()
      print("callgrind: \(pairs) copy-on-write faults done")
    case .pair, .batch, .huge: runFrames()
    }
  }

  private func runPageMap() {
    let bench = PageMapBench()
    switch pattern {
    case .map:
      _ = bench.withNeighbour(true) {
        bench.mapUnmap(pairs)
        return 0
      }
    case .translate:
      _ = bench.withMappedPage(.size4KiB) {
        bench.translate(pairs, .size4KiB)
        return 0
      }
    case .churn: bench.churn(UInt64(pairs))
    default: bench.demandFaults(UInt64(pairs))
    }
    print("callgrind: \(pairs) \(pattern.rawValue) operations done, sink \(sink)")
  }

  private func runFrames() {
    let bench = BenchBitmap(bytes: bytes, occupiedPercent: occupiedPercent)
    var random = SplitMix64(seed: FrameBenchConfig.seed)
    let order = Array(0..<CallgrindMode.batchFrames).shuffled(using: &random)
    switch pattern {
    case .pair: runPairs(bench.bitmap)
    case .batch: runBatches(bench.bitmap, order: order)
    case .huge: runHugePairs(bench.bitmap)
    default: break
    }
    withExtendedLifetime(bench) {}
    print("callgrind: \(pairs) \(pattern.rawValue) pairs done, sink \(sink)")
  }

  private func runPairs(_ bitmap: FrameBitmap) {
    var total: UInt64 = 0
    for _ in 0..<pairs {
      let frame = bitmap.allocate()!
      total &+= frame.number
      try! bitmap.free(frame)
    }
    consume(total)
  }

  private func runHugePairs(_ bitmap: FrameBitmap) {
    var total: UInt64 = 0
    for _ in 0..<pairs {
      let frame = try! bitmap.allocate(.size2MiB)
      total &+= frame.number
      try! bitmap.free(frame, size: .size2MiB)
    }
    consume(total)
  }

  private func runBatches(_ bitmap: FrameBitmap, order: [Int]) {
    let frames = UnsafeMutableBufferPointer<PhysicalFrame>.allocate(capacity: order.count)
    defer { frames.deallocate() }
    for _ in 0..<(pairs / order.count) {
      for index in 0..<order.count { frames[index] = bitmap.allocate()! }
      for index in order { try! bitmap.free(frames[index]) }
    }
  }
}
