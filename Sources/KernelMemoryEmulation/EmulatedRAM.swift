import KernelMemory

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Emulated physical memory: one contiguous buffer standing in for the machine's RAM, starting
/// at physical address 0.
///
/// A class, so every holder of a reference (the page map, the software MMU, the test) sees the
/// same bytes, as every CPU sees the same RAM. The buffer comes from `calloc`, which for large
/// sizes maps zero pages lazily: a 256 MiB RAM costs nothing until a frame is touched, which
/// keeps tests and benchmarks fast.
///
/// Any access outside the RAM is a precondition failure: on the host it can only be a bug in a
/// test or in the code under test, and stopping at once is the most useful report.
public final class EmulatedRAM: PhysicalMemoryAccess {
  /// What a fresh RAM contains.
  public enum InitialContents: Sendable {
    /// All bytes zero (what firmware usually leaves, and the fastest).
    case zero
    /// Every byte `EmulatedRAM.poisonByte`, so code that forgets to zero a frame it hands out
    /// (a new page table, a user page) reads garbage and fails a test.
    case poison
  }

  /// The byte poisoned memory holds: recognisable in a dump, and as a PML4, PDPT or PD entry
  /// (`0xa5a5…`) present with reserved bits set, so walking a table nobody zeroed faults with
  /// RSVD instead of quietly mapping something.
  public static let poisonByte: UInt8 = 0xa5

  /// How many 4 KiB frames the RAM holds.
  public let frameCount: UInt64

  /// The size in bytes: one past the last valid physical address.
  public var byteCount: UInt64 { frameCount << PageSize.size4KiB.shift }

  private let base: UnsafeMutableRawPointer

  /// The size of the 64-bit word `load` and `store` move.
  private static let wordSize: UInt64 = 8

  /// Creates RAM of `frameCount` 4 KiB frames (physical addresses `0 ..< frameCount * 4096`).
  public init(frameCount: UInt64, contents: InitialContents = .zero) {
    precondition(frameCount > 0, "RAM needs at least one frame")
    let bytes = Int(frameCount << PageSize.size4KiB.shift)
    guard let memory = calloc(bytes, 1) else { fatalError("cannot allocate emulated RAM") }
    self.frameCount = frameCount
    self.base = memory
    if contents == .poison {
      fill(startingAt: PhysicalAddress(0)!, count: bytes, with: Self.poisonByte)
    }
  }

  /// Creates RAM of `megabytes` MiB.
  public convenience init(megabytes: UInt64, contents: InitialContents = .zero) {
    let framesPerMegabyte: UInt64 = 256
    self.init(frameCount: megabytes * framesPerMegabyte, contents: contents)
  }

  deinit { free(base) }

  /// Whether the frame lies inside the RAM.
  public func contains(_ frame: PhysicalFrame) -> Bool { frame.number < frameCount }

  // MARK: PhysicalMemoryAccess

  public func load(_ address: PhysicalAddress) -> UInt64 {
    base.load(fromByteOffset: wordOffset(address), as: UInt64.self)
  }

  public func store(_ value: UInt64, at address: PhysicalAddress) {
    base.storeBytes(of: value, toByteOffset: wordOffset(address), as: UInt64.self)
  }

  public func zero(_ frame: PhysicalFrame) { fill(frame, with: 0) }

  public func copy(_ source: PhysicalFrame, to destination: PhysicalFrame) {
    let from = frameOffset(source)
    let to = frameOffset(destination)
    (base + to).copyMemory(from: base + from, byteCount: Self.frameBytes)
  }

  // MARK: Byte access for tests

  /// The byte at `address`.
  public func read(at address: PhysicalAddress) -> UInt8 {
    base.load(fromByteOffset: byteOffset(address, count: 1), as: UInt8.self)
  }

  /// Stores `byte` at `address`.
  public func write(_ byte: UInt8, at address: PhysicalAddress) {
    base.storeBytes(of: byte, toByteOffset: byteOffset(address, count: 1), as: UInt8.self)
  }

  /// Sets `count` bytes from `address` on to `byte`.
  public func fill(startingAt address: PhysicalAddress, count: Int, with byte: UInt8) {
    let offset = byteOffset(address, count: count)
    (base + offset).initializeMemory(as: UInt8.self, repeating: byte, count: count)
  }

  /// Sets every byte of `frame` to `byte`.
  public func fill(_ frame: PhysicalFrame, with byte: UInt8) {
    (base + frameOffset(frame)).initializeMemory(
      as: UInt8.self, repeating: byte, count: Self.frameBytes)
  }

  /// Fills `frame` with `poisonByte`, as a debug kernel does to freed frames.
  public func poison(_ frame: PhysicalFrame) { fill(frame, with: Self.poisonByte) }

  /// Whether every byte of `frame` is zero.
  public func isZeroed(_ frame: PhysicalFrame) -> Bool { frameIsFilled(frame, with: 0) }

  /// Whether every byte of `frame` is still `poisonByte`.
  public func isPoisoned(_ frame: PhysicalFrame) -> Bool {
    frameIsFilled(frame, with: Self.poisonByte)
  }

  // MARK: Bounds

  private static let frameBytes = Int(PageSize.size4KiB.bytes)

  private func frameIsFilled(_ frame: PhysicalFrame, with byte: UInt8) -> Bool {
    let bytes = UnsafeRawBufferPointer(start: base + frameOffset(frame), count: Self.frameBytes)
    return bytes.allSatisfy { $0 == byte }
  }

  private func frameOffset(_ frame: PhysicalFrame) -> Int {
    precondition(contains(frame), "\(frame) is outside the emulated RAM")
    return Int(frame.address.value)
  }

  private func wordOffset(_ address: PhysicalAddress) -> Int {
    precondition(address.value % Self.wordSize == 0, "unaligned 64-bit access at \(address)")
    return byteOffset(address, count: Int(Self.wordSize))
  }

  private func byteOffset(_ address: PhysicalAddress, count: Int) -> Int {
    precondition(
      count >= 0 && address.value <= byteCount && UInt64(count) <= byteCount - address.value,
      "physical access at \(address) (\(count) bytes) is outside the emulated RAM")
    return Int(address.value)
  }
}
