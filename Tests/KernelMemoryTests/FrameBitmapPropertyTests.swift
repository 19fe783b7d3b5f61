import KernelMemory
import KernelMemoryEmulation
import Testing

/// The allocator's expected state, kept the simplest possible way: one Bool per frame.
struct ReferenceFrameModel {
  /// Frames the allocator manages.
  var usable: [Bool]
  /// Frames free now.
  var free: [Bool]
  /// How many frames are free.
  var freeCount = 0
  /// Every allocated frame, in no order, for picking a random one to free.
  var allocated: [UInt64] = []
  /// Each frame's index in `allocated`, or -1.
  var slot: [Int]

  init(usable: [Bool]) {
    self.usable = usable
    free = usable
    freeCount = usable.filter { $0 }.count
    slot = Array(repeating: -1, count: usable.count)
  }

  var frameCount: UInt64 { UInt64(usable.count) }

  mutating func markAllocated(_ frame: UInt64) {
    free[Int(frame)] = false
    freeCount -= 1
    slot[Int(frame)] = allocated.count
    allocated.append(frame)
  }

  mutating func markFree(_ frame: UInt64) {
    free[Int(frame)] = true
    freeCount += 1
    let index = slot[Int(frame)]
    let moved = allocated.removeLast()
    if moved != frame {
      allocated[index] = moved
      slot[Int(moved)] = index
    }
    slot[Int(frame)] = -1
  }

  mutating func markReserved(_ frame: UInt64) {
    if free[Int(frame)] { freeCount -= 1 }
    free[Int(frame)] = false
    usable[Int(frame)] = false
  }

  /// What freeing `count` frames from `first` must report: the lowest offending frame's error.
  func freeingError(first: UInt64, count: UInt64) -> FrameAllocatorError? {
    guard first < frameCount, count <= frameCount - first else {
      return .outOfRange(PhysicalFrame(number: max(first, frameCount)))
    }
    for frame in first..<(first + count) {
      if !usable[Int(frame)] { return .reservedFrame(PhysicalFrame(number: frame)) }
      if free[Int(frame)] { return .doubleFree(PhysicalFrame(number: frame)) }
    }
    return nil
  }

  /// The lowest aligned start of `count` free frames ending at or below frame `end`.
  func firstFit(count: UInt64, alignment: UInt64, end: UInt64) -> UInt64? {
    var start: UInt64 = 0
    while start < end, count <= end - start {
      guard let blocked = (start..<(start + count)).first(where: { !free[Int($0)] }) else {
        return start
      }
      // Any aligned start up to `blocked` would contain it.
      start = (blocked + alignment) / alignment * alignment
    }
    return nil
  }
}

@Suite struct FrameBitmapPropertyTests {
  /// 24 MiB with holes, unaligned and overlapping entries, and kernel reservations.
  static let entries = [
    MemoryMapEntry(start: 0, length: 0x9_fc00, kind: .usable),
    MemoryMapEntry(start: 0x9_fc00, length: 0x6_0400, kind: .reserved),
    MemoryMapEntry(start: 0x10_0000, length: 0xf0_0123, kind: .usable),
    MemoryMapEntry(start: 0x40_0800, length: 0x3000, kind: .acpiReclaimable),
    MemoryMapEntry(start: 0x70_0000, length: 0x1000, kind: .badMemory),
    MemoryMapEntry(start: 0x100_2000, length: 0x7f_dff0, kind: .usable),
    MemoryMapEntry(start: 0x170_0000, length: 0x10_0000, kind: .usable),
    MemoryMapEntry(start: 0x120_0000, length: 0x1_0000, kind: .acpiNonVolatile),
  ]
  static let reserved = [
    PhysicalRange(start: 0, length: 0x1000), PhysicalRange(start: 0x20_0000, length: 0x3_0000),
  ]
  static let operations = 120_000
  static let comparisonInterval = 2_000

  @Test func randomOperationsMatchAReferenceModel() throws {
    let fixture = try BitmapFixture(Self.entries, reserving: Self.reserved)
    let bitmap = fixture.bitmap
    var model = ReferenceFrameModel(
      usable: (0..<bitmap.frameCount).map(fixture.expectedUsable))
    var random = SplitMix64(seed: 0x5eed_f4a3_e5b1_7a90)
    try compareEverything(bitmap, model)
    for step in 0..<Self.operations {
      let filling = (step / 8_000) % 2 == 0
      try perform(randomOperation(&random, filling: filling), bitmap, &model, &random)
      guard bitmap.freeFrameCount == UInt64(model.freeCount) else {
        Issue.record("step \(step): free count \(bitmap.freeFrameCount) != \(model.freeCount)")
        return
      }
      if step % Self.comparisonInterval == 0 { try compareEverything(bitmap, model) }
    }
    try compareEverything(bitmap, model)
    // The run must have visited the interesting states, or it proves little.
    #expect(coverage.exhausted > 0)
    #expect(coverage.contiguous > 100)
    #expect(coverage.rejectedFrees > 1000)
    #expect(coverage.rangeFrees > 100)
  }

  /// How often the run reached the states worth testing.
  final class Coverage {
    var exhausted = 0
    var contiguous = 0
    var rejectedFrees = 0
    var rangeFrees = 0
  }
  let coverage = Coverage()

  enum Operation {
    case allocate, allocateContiguous, freeAllocated, freeRange, freeAnyFrame, reserve
  }

  /// Picks an operation, weighted towards allocating or freeing by phase so that the run visits
  /// exhaustion and a nearly empty bitmap many times.
  func randomOperation(_ random: inout SplitMix64, filling: Bool) -> Operation {
    let roll = random.next() % 1000
    switch roll {
    case 0..<2: return .reserve
    case 2..<80: return .allocateContiguous
    case 80..<150: return .freeAnyFrame
    case 150..<(filling ? 190 : 350): return .freeRange
    default: return roll < (filling ? 950 : 400) ? .allocate : .freeAllocated
    }
  }

  func perform(
    _ operation: Operation, _ bitmap: FrameBitmap, _ model: inout ReferenceFrameModel,
    _ random: inout SplitMix64
  ) throws {
    switch operation {
    case .allocate: try allocate(bitmap, &model)
    case .allocateContiguous: try allocateContiguous(bitmap, &model, &random)
    case .freeAllocated:
      guard !model.allocated.isEmpty else { return }
      let frame = model.allocated[Int(random.next() % UInt64(model.allocated.count))]
      try bitmap.free(PhysicalFrame(number: frame))
      model.markFree(frame)
    case .freeRange:
      let fromAllocated = !model.allocated.isEmpty && random.next() % 4 != 0
      let first =
        fromAllocated
        ? model.allocated[Int(random.next() % UInt64(model.allocated.count))]
        : random.next() % (model.frameCount + 16)
      try free(bitmap, &model, first: first, count: 1 + random.next() % 6)
    case .freeAnyFrame:
      try free(bitmap, &model, first: random.next() % (model.frameCount + 16), count: 1)
    case .reserve:
      try reserve(
        bitmap, &model, first: random.next() % model.frameCount, count: 1 + random.next() % 3)
    }
  }

  func allocate(_ bitmap: FrameBitmap, _ model: inout ReferenceFrameModel) throws {
    guard let frame = bitmap.allocate() else {
      #expect(model.freeCount == 0)
      coverage.exhausted += 1
      return
    }
    try #require(model.free[Int(frame.number)], "handed out \(frame), which is not free")
    model.markAllocated(frame.number)
  }

  func allocateContiguous(
    _ bitmap: FrameBitmap, _ model: inout ReferenceFrameModel, _ random: inout SplitMix64
  ) throws {
    let counts: [UInt64] = [1, 2, 3, 7, 16, 64, 100, 512]
    let alignments: [UInt64] = [1, 2, 8, 64, 512]
    let count = counts[Int(random.next() % UInt64(counts.count))]
    let alignment = alignments[Int(random.next() % UInt64(alignments.count))]
    let limitBytes = random.next() % 2 == 0 ? nil : random.next() % (model.frameCount * 4096 + 8192)
    let limit = limitBytes.flatMap { PhysicalAddress($0) }
    let end = min(model.frameCount, (limitBytes ?? UInt64.max) >> 12)
    let expected = model.firstFit(count: count, alignment: alignment, end: end)
    let result = Result { () throws(FrameAllocatorError) in
      try bitmap.allocateContiguous(count: count, alignment: alignment, below: limit)
    }
    switch result {
    case .success(let first):
      try #require(first.number == expected, "contiguous \(count)/\(alignment) at \(first)")
      for frame in first.number..<(first.number + count) { model.markAllocated(frame) }
      coverage.contiguous += 1
    case .failure(let error):
      try #require(expected == nil && error == .outOfMemory, "contiguous failed: \(error)")
    }
  }

  func free(
    _ bitmap: FrameBitmap, _ model: inout ReferenceFrameModel, first: UInt64, count: UInt64
  ) throws {
    let expected = model.freeingError(first: first, count: count)
    let result = Result { () throws(FrameAllocatorError) in
      if count == 1 {
        try bitmap.free(PhysicalFrame(number: first))
      } else {
        try bitmap.free(PhysicalFrame(number: first), count: count)
      }
    }
    switch result {
    case .success:
      try #require(
        expected == nil, "freed \(first)+\(count), expected \(String(describing: expected))")
      for frame in first..<(first + count) { model.markFree(frame) }
      if count > 1 { coverage.rangeFrees += 1 }
    case .failure(let error):
      coverage.rejectedFrees += 1
      try #require(
        error == expected,
        "free \(first)+\(count): \(error), expected \(String(describing: expected))")
    }
  }

  func reserve(
    _ bitmap: FrameBitmap, _ model: inout ReferenceFrameModel, first: UInt64, count: UInt64
  ) throws {
    let frames = first..<min(first + count, model.frameCount)
    let inUse = frames.first { model.usable[Int($0)] && !model.free[Int($0)] }
    let result = Result { () throws(FrameAllocatorError) in
      try bitmap.reserve(PhysicalRange(first: PhysicalFrame(number: first), count: count))
    }
    switch result {
    case .success:
      try #require(inUse == nil)
      for frame in frames { model.markReserved(frame) }
    case .failure(let error):
      try #require(error == .frameInUse(PhysicalFrame(number: inUse ?? UInt64.max)))
    }
  }

  /// Every frame's state, the counters and the summary tree against the model.
  func compareEverything(_ bitmap: FrameBitmap, _ model: ReferenceFrameModel) throws {
    try #require(bitmap.isConsistent)
    try #require(bitmap.usableFrameCount == UInt64(model.usable.filter { $0 }.count))
    for frame in 0..<model.frameCount {
      let physical = PhysicalFrame(number: frame)
      guard bitmap.isFree(physical) == model.free[Int(frame)],
        bitmap.isUsable(physical) == model.usable[Int(frame)]
      else {
        Issue.record("frame \(frame) disagrees with the model")
        throw ModelMismatch()
      }
    }
  }

  struct ModelMismatch: Error {}
}
