import KernelMemory
import KernelMemoryEmulation
import Testing

/// A frame bitmap together with the heap storage a host test provides for it.
///
/// The storage is filled with garbage first, to prove the initialiser needs no zeroed memory.
final class BitmapFixture {
  let storage: UnsafeMutableBufferPointer<UInt64>
  let bitmap: FrameBitmap
  let map: MemoryMap<[MemoryMapEntry]>
  let reserved: [PhysicalRange]

  init(_ entries: [MemoryMapEntry], reserving reserved: [PhysicalRange] = []) throws {
    map = MemoryMap(entries)
    self.reserved = reserved
    let words = FrameBitmap.requiredStorageWords(frameCount: map.frameLimit)
    storage = .allocate(capacity: words)
    storage.initialize(repeating: 0xa5a5_a5a5_a5a5_a5a5)
    bitmap = try FrameBitmap(memoryMap: map, reserving: reserved, storage: storage)
  }

  /// A fixture of `bytes` of usable RAM from address 0, nothing reserved.
  convenience init(usableBytes bytes: UInt64) throws {
    try self.init([MemoryMapEntry(start: 0, length: bytes, kind: .usable)])
  }

  /// Whether the frame is usable by the map's rules and untouched by a reservation — computed
  /// independently of the bitmap.
  func expectedUsable(_ frame: UInt64) -> Bool {
    map.isUsable(PhysicalFrame(number: frame))
      && !reserved.contains { $0.framesTouched.contains(frame) }
  }

  deinit { storage.deallocate() }
}


let testMiB: UInt64 = 1 << 20
let testGiB: UInt64 = 1 << 30
let testFrameBytes: UInt64 = 4096

@Suite struct FrameBitmapFixtureTests {
  @Test func splitMixIsReproducible() {
    var first = SplitMix64(seed: 42)
    var second = SplitMix64(seed: 42)
    for _ in 0..<100 { #expect(first.next() == second.next()) }
    var one = SplitMix64(seed: 1)
    var two = SplitMix64(seed: 2)
    #expect(one.next() != two.next())
  }
}
