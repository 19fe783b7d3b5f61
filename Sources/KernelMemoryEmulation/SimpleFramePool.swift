import KernelMemory

/// A minimal `FrameSource`: a free list over a contiguous run of frames in emulated RAM.
///
/// For tests that need frames but not the real bitmap allocator. It hands out the lowest frames
/// first, so test output is deterministic, and it poisons each frame it takes back (as a debug
/// kernel does), so code that frees a table and keeps using it, or trusts a reused frame to be
/// zero, reads garbage and fails.
///
/// A class so that every copy held by a page map or a wrapper shares one free list: two value
/// copies would each hand out the same frame.
public final class SimpleFramePool: FrameSource {
  /// The RAM the frames belong to.
  public let ram: EmulatedRAM
  /// The first frame of the pool's run.
  public let first: PhysicalFrame
  /// How many frames the run holds.
  public let capacity: UInt64
  /// Whether released frames are filled with `EmulatedRAM.poisonByte`.
  public let poisonsReleasedFrames: Bool

  /// The free frames, lowest at the end so `popLast` hands it out first.
  private var free: [PhysicalFrame]
  /// `isFree[i]` for frame `first + i`: catches double and foreign releases in O(1).
  private var isFree: [Bool]

  /// A pool of `count` frames starting at `first`, all free.
  public init(
    ram: EmulatedRAM, first: PhysicalFrame, count: UInt64, poisonsReleasedFrames: Bool = true
  ) {
    precondition(count > 0 && ram.contains(first.advanced(by: count - 1)), "pool must lie in RAM")
    self.ram = ram
    self.first = first
    self.capacity = count
    self.poisonsReleasedFrames = poisonsReleasedFrames
    self.free = (0..<count).reversed().map { first.advanced(by: $0) }
    self.isFree = Array(repeating: true, count: Int(count))
  }

  /// How many frames are free.
  public var freeCount: Int { free.count }

  /// Whether `frame` belongs to this pool's run.
  public func contains(_ frame: PhysicalFrame) -> Bool {
    frame >= first && frame.number - first.number < capacity
  }

  public func allocateFrame() -> PhysicalFrame? {
    guard let frame = free.popLast() else { return nil }
    isFree[slot(of: frame)] = false
    return frame
  }

  /// Takes `frame` back. Releasing a frame that is already free or not from this pool is a bug in
  /// the caller and stops the test (wrap the pool in `CountingFrameSource` to record it instead).
  public func releaseFrame(_ frame: PhysicalFrame) {
    precondition(contains(frame), "\(frame) was not allocated from this pool")
    let index = slot(of: frame)
    precondition(!isFree[index], "double release of \(frame)")
    isFree[index] = true
    if poisonsReleasedFrames { ram.poison(frame) }
    free.append(frame)
  }

  private func slot(of frame: PhysicalFrame) -> Int { Int(frame.number - first.number) }
}
