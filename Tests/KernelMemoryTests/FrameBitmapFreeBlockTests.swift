import KernelMemoryEmulation
import Testing

@testable import KernelMemory

/// The free-block map (one bit per 2 MiB block, set when all 512 frames are free): that it stays
/// exact through every operation, at the edges of memory, and that it makes failing contiguous
/// searches cheap — measured in words read, not in time.
@Suite struct FrameBitmapFreeBlockTests {
  static let blockFrames: UInt64 = 512

  /// The reference model plus how many frames of each block are free.
  struct BlockModel {
    var frames: ReferenceFrameModel
    var freeInBlock: [Int]
    /// Contiguous allocations still held, for freeing them whole.
    var runs: [(first: UInt64, count: UInt64)] = []

    init(usable: [Bool]) {
      frames = ReferenceFrameModel(usable: usable)
      let blocks = (usable.count + 511) / 512
      freeInBlock = (0..<blocks).map { block in
        usable[(block * 512)..<min(usable.count, block * 512 + 512)].filter { $0 }.count
      }
    }

    mutating func markAllocated(_ frame: UInt64) {
      frames.markAllocated(frame)
      freeInBlock[Int(frame / 512)] -= 1
    }

    mutating func markFree(_ frame: UInt64) {
      frames.markFree(frame)
      freeInBlock[Int(frame / 512)] += 1
    }

    mutating func markReserved(_ frame: UInt64) {
      if frames.free[Int(frame)] { freeInBlock[Int(frame / 512)] -= 1 }
      frames.markReserved(frame)
    }

    func blockIsFree(_ block: Int) -> Bool { freeInBlock[block] == 512 }

    /// Whether `frame` belongs to a contiguous allocation still held.
    func isInRun(_ frame: UInt64) -> Bool {
      runs.contains { frame >= $0.first && frame - $0.first < $0.count }
    }
  }

  /// Counts of the transitions the run must have seen to prove anything.
  struct Coverage {
    var blocksFreedBySingleFree = 0
    var blocksBrokenBySingleAllocation = 0
    var longRuns = 0
    var failedLongSearches = 0
  }

  /// 40 MiB and 12 KiB with a hole, firmware entries inside RAM, boot reservations, and a partial
  /// last block: 20,483 frames, 41 blocks.
  static let entries = [
    MemoryMapEntry(start: 0, length: 9 * testMiB, kind: .usable),
    MemoryMapEntry(start: 10 * testMiB, length: 30 * testMiB + 0x3000, kind: .usable),
    MemoryMapEntry(start: 14 * testMiB + 0x800, length: 0x1000, kind: .acpiReclaimable),
  ]
  static let reserved = [
    PhysicalRange(start: 0, length: 0x1000), PhysicalRange(start: 21 * testMiB, length: 0x5000),
  ]

  @Test func mapMatchesTheModelAfterEveryStep() throws {
    let fixture = try BitmapFixture(Self.entries, reserving: Self.reserved)
    let bitmap = fixture.bitmap
    var model = BlockModel(usable: (0..<bitmap.frameCount).map(fixture.expectedUsable))
    var random = SplitMix64(seed: 0x2b10_c4ed_f4ee_b10c)
    var coverage = Coverage()
    try checkBlocks(bitmap, model, step: -1)
    for step in 0..<30_000 {
      let filling = (step / 3_000) % 2 == 0
      try performRandomStep(bitmap, &model, &random, filling: filling, &coverage)
      try checkBlocks(bitmap, model, step: step)
    }
    #expect(coverage.blocksFreedBySingleFree > 10)
    #expect(coverage.blocksBrokenBySingleAllocation > 10)
    #expect(coverage.longRuns > 100)
    #expect(coverage.failedLongSearches > 100)
  }

  /// The map bit of every block against the model — all but the unsettled block — and every
  /// invariant of the allocator.
  func checkBlocks(_ bitmap: FrameBitmap, _ model: BlockModel, step: Int) throws {
    let unsettled = bitmap.unsettledBlock ?? -1
    for block in 0..<model.freeInBlock.count
    where block != unsettled && bitmap.freeBlocks.contains(block) != model.blockIsFree(block) {
      Issue.record("step \(step): block \(block) map bit disagrees with the model")
      throw FrameBitmapPropertyTests.ModelMismatch()
    }
    try #require(bitmap.isConsistent, "step \(step): inconsistent")
    try #require(bitmap.freeFrameCount == UInt64(model.frames.freeCount))
  }

  func performRandomStep(
    _ bitmap: FrameBitmap, _ model: inout BlockModel, _ random: inout SplitMix64,
    filling: Bool, _ coverage: inout Coverage
  ) throws {
    let roll = random.next() % 100
    if roll < 10 {
      try allocateContiguous(bitmap, &model, &random, &coverage)
    } else if roll < 14 {
      guard !model.runs.isEmpty else { return }
      let run = model.runs.remove(at: Int(random.next() % UInt64(model.runs.count)))
      try bitmap.free(PhysicalFrame(number: run.first), count: run.count)
      for frame in run.first..<(run.first + run.count) { model.markFree(frame) }
    } else if roll < 15 && !filling {
      try drainOneBlock(bitmap, &model, &random, &coverage)
    } else if roll < 16 {
      // Rarely: each reservation breaks a block for good.
      guard random.next() % 32 == 0 else { return }
      let first = random.next() % model.frames.frameCount
      let count = 1 + random.next() % 3
      let frames = first..<min(first + count, model.frames.frameCount)
      let inUse = frames.contains { model.frames.usable[Int($0)] && !model.frames.free[Int($0)] }
      do {
        try bitmap.reserve(PhysicalRange(first: PhysicalFrame(number: first), count: count))
      } catch {
        try #require(inUse)
        return
      }
      try #require(!inUse)
      for frame in frames { model.markReserved(frame) }
    } else if roll < (filling ? 75 : 35) {
      guard let frame = bitmap.allocate() else { return }
      let block = Int(frame.number / Self.blockFrames)
      if model.blockIsFree(block) { coverage.blocksBrokenBySingleAllocation += 1 }
      model.markAllocated(frame.number)
    } else {
      try freeOneSingleFrame(bitmap, &model, &random, &coverage)
    }
  }

  /// Frees, one single-frame free at a time and checking the map after each, every frame of a
  /// random block that single allocations hold: the way a block becomes whole again frame by frame.
  func drainOneBlock(
    _ bitmap: FrameBitmap, _ model: inout BlockModel, _ random: inout SplitMix64,
    _ coverage: inout Coverage
  ) throws {
    let block = random.next() % UInt64(model.freeInBlock.count)
    let frames =
      (block * Self.blockFrames)..<min((block + 1) * Self.blockFrames, model.frames.frameCount)
    // Held runs that overlap the block go back whole first.
    while let index = model.runs.firstIndex(where: {
      $0.first < frames.upperBound && frames.lowerBound < $0.first + $0.count
    }) {
      let run = model.runs.remove(at: index)
      try bitmap.free(PhysicalFrame(number: run.first), count: run.count)
      for frame in run.first..<(run.first + run.count) { model.markFree(frame) }
    }
    for frame in frames where model.frames.slot[Int(frame)] >= 0 {
      try bitmap.free(PhysicalFrame(number: frame))
      model.markFree(frame)
      if model.blockIsFree(Int(block)) { coverage.blocksFreedBySingleFree += 1 }
      try checkBlocks(bitmap, model, step: -2)
    }
  }

  /// Frees a random frame that a single allocation handed out (not one inside a held run).
  func freeOneSingleFrame(
    _ bitmap: FrameBitmap, _ model: inout BlockModel, _ random: inout SplitMix64,
    _ coverage: inout Coverage
  ) throws {
    guard !model.frames.allocated.isEmpty else { return }
    let frame = model.frames.allocated[Int(random.next() % UInt64(model.frames.allocated.count))]
    guard !model.isInRun(frame) else { return }
    try bitmap.free(PhysicalFrame(number: frame))
    model.markFree(frame)
    if model.blockIsFree(Int(frame / Self.blockFrames)) { coverage.blocksFreedBySingleFree += 1 }
  }

  func allocateContiguous(
    _ bitmap: FrameBitmap, _ model: inout BlockModel, _ random: inout SplitMix64,
    _ coverage: inout Coverage
  ) throws {
    let counts: [UInt64] = [1, 64, 300, 512, 700, 1023, 1024, 1536, 2048, 4096]
    let alignments: [UInt64] = [1, 64, 512, 1024, 4096]
    let count = counts[Int(random.next() % UInt64(counts.count))]
    let alignment = alignments[Int(random.next() % UInt64(alignments.count))]
    let frameCount = model.frames.frameCount
    let limitFrames = random.next() % 4 == 0 ? random.next() % (frameCount + 8) : nil
    let end = min(frameCount, limitFrames ?? frameCount)
    let expected = model.frames.firstFit(count: count, alignment: alignment, end: end)
    let limit = limitFrames.flatMap { PhysicalAddress($0 << 12) }
    let long = count >= 512
    let result = Result { () throws(FrameAllocatorError) in
      try bitmap.allocateContiguous(count: count, alignment: alignment, below: limit)
    }
    switch result {
    case .success(let first):
      try #require(
        first.number == expected,
        "\(count)/\(alignment) at \(first), not \(String(describing: expected))")
      for frame in first.number..<(first.number + count) { model.markAllocated(frame) }
      model.runs.append((first.number, count))
      if long { coverage.longRuns += 1 }
    case .failure(let error):
      try #require(expected == nil && error == .outOfMemory, "\(count)/\(alignment): \(error)")
      if long { coverage.failedLongSearches += 1 }
    }
  }
}
