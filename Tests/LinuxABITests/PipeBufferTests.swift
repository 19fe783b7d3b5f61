import LinuxABI
import Testing

/// Pages from the host heap, counted, with an optional limit (to see ENOMEM).
final class PageLedger {
  var live = 0
  var taken = 0
  var limit = Int.max
}

struct CountingPages: PipePageSource {
  let ledger: PageLedger

  mutating func allocatePage() -> UnsafeMutableRawPointer? {
    guard ledger.live < ledger.limit else { return nil }
    ledger.live += 1
    ledger.taken += 1
    return UnsafeMutableRawPointer.allocate(byteCount: 4096, alignment: 4096)
  }

  mutating func releasePage(_ page: UnsafeMutableRawPointer) {
    ledger.live -= 1
    page.deallocate()
  }
}

/// Linux's pipe semantics (fs/pipe.c, pipe(7)) on the host: capacity, PIPE_BUF atomicity,
/// partial writes, end-of-file and EPIPE, and every page given back.
@Suite struct PipeBufferTests {
  typealias Buffer = PipeBuffer<CountingPages>

  /// `#expect` on a noncopyable value's property does not compile (the macro copies it).
  func holds(_ value: Bool, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(value, sourceLocation: sourceLocation)
  }

  static func pipe(_ ledger: PageLedger = PageLedger()) -> Buffer {
    Buffer(pages: CountingPages(ledger: ledger))
  }

  /// Writes `count` bytes of `pattern(i)` (the source offset i).
  static func write(
    _ pipe: inout Buffer, _ count: Int, merging: Bool = true, pattern: (Int) -> UInt8 = { _ in 7 }
  ) -> PipeTransfer {
    pipe.write(count: count, merging: merging) { destination, offset, length in
      for index in 0..<length {
        destination.storeBytes(of: pattern(offset + index), toByteOffset: index, as: UInt8.self)
      }
      return true
    }
  }

  static func read(_ pipe: inout Buffer, _ count: Int) -> (PipeTransfer, [UInt8]) {
    var bytes = [UInt8](repeating: 0, count: count)
    let result = pipe.read(count: count) { source, offset, length in
      for index in 0..<length {
        bytes[offset + index] = source.load(fromByteOffset: index, as: UInt8.self)
      }
      return true
    }
    return (result, bytes)
  }

  @Test func bytesComeOutInOrder() {
    var pipe = Self.pipe()
    #expect(
      Self.write(&pipe, 10_000, pattern: { UInt8(truncatingIfNeeded: $0) }) == .transferred(10_000))
    holds(pipe.byteCount == 10_000)
    let (first, head) = Self.read(&pipe, 5000)
    #expect(first == .transferred(5000))
    #expect(head == (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
    let (second, rest) = Self.read(&pipe, 8000)
    #expect(second == .transferred(5000))
    #expect(Array(rest[0..<5000]) == (5000..<10_000).map { UInt8(truncatingIfNeeded: $0) })
    holds(pipe.isEmpty)
  }

  @Test func capacityIsSixteenPages() {
    var pipe = Self.pipe()
    #expect(Self.write(&pipe, 100_000) == .transferred(65_536))
    holds(pipe.isFull && !pipe.writeReady)
    #expect(Self.write(&pipe, 1) == .mustWait)
    #expect(Buffer.capacity == 65_536)
  }

  @Test func smallWritesShareAPage() {
    let ledger = PageLedger()
    var pipe = Self.pipe(ledger)
    for _ in 0..<4096 { #expect(Self.write(&pipe, 1) == .transferred(1)) }
    holds(ledger.live == 1 && pipe.byteCount == 4096)
    #expect(Self.write(&pipe, 1) == .transferred(1))
    #expect(ledger.live == 2)
  }

  /// Byte-at-a-time non-blocking writes fill exactly 65,536 bytes (what a program counts
  /// before EAGAIN on Linux).
  @Test func oneByteWritesFillTheCapacity() {
    var pipe = Self.pipe()
    var total = 0
    while case .transferred(let count) = Self.write(&pipe, 1) { total += count }
    #expect(total == 65_536)
  }

  /// A write of at most PIPE_BUF lands whole or not at all.
  @Test func pipeBufWritesAreAtomic() {
    var pipe = Self.pipe()
    #expect(Self.write(&pipe, 15 * 4096 + 4000) == .transferred(15 * 4096 + 4000))
    // 96 bytes left in the last page, no free slot: 100 bytes do not fit, nothing is written.
    #expect(Self.write(&pipe, 100) == .mustWait)
    #expect(Self.write(&pipe, 96) == .transferred(96))
    holds(pipe.isFull)
    // Reading one byte does not free a slot: still full, as Linux.
    #expect(Self.read(&pipe, 1).0 == .transferred(1))
    #expect(Self.write(&pipe, 1) == .mustWait)
    #expect(Self.read(&pipe, 4095).0 == .transferred(4095))
    #expect(Self.write(&pipe, 4096) == .transferred(4096))
  }

  /// A write larger than the room writes what fits (a non-blocking partial count).
  @Test func largeWritesArePartial() {
    var pipe = Self.pipe()
    #expect(Self.write(&pipe, 60_000) == .transferred(60_000))
    // 60,000 = 14 pages + 2,656 in a 15th: 1,440 bytes of room there and one free slot.
    // 9,000 % 4,096 = 808 merges into the 15th page, then one page fills the last slot.
    #expect(Self.write(&pipe, 9000) == .transferred(808 + 4096))
    // 10,000 % 4,096 = 1,808 would not fit the room left: no merge, and no slot.
    #expect(Self.write(&pipe, 10_000) == .mustWait)
  }

  @Test func endOfFileAfterTheLastWriter() {
    var pipe = Self.pipe()
    #expect(Self.read(&pipe, 10).0 == .mustWait)
    holds(!pipe.readReady)
    #expect(Self.write(&pipe, 3) == .transferred(3))
    pipe.openWriter()
    pipe.closeWriter()
    #expect(Self.read(&pipe, 10).0 == .transferred(3))
    #expect(Self.read(&pipe, 10).0 == .mustWait)
    pipe.closeWriter()
    holds(pipe.readReady)
    #expect(Self.read(&pipe, 10).0 == .transferred(0))
  }

  @Test func writeWithoutReaderIsBrokenPipe() {
    var pipe = Self.pipe()
    pipe.closeReader()
    #expect(Self.write(&pipe, 1) == .noReaders)
    holds(pipe.writeReady)
  }

  @Test func everyPageComesBackWhenBothEndsClose() {
    let ledger = PageLedger()
    do {
      var pipe = Self.pipe(ledger)
      #expect(Self.write(&pipe, 40_000) == .transferred(40_000))
      #expect(Self.read(&pipe, 9000).0 == .transferred(9000))
      holds(ledger.live == pipe.pagesHeld && ledger.live > 0)
      pipe.closeWriter()
      #expect(ledger.live > 0)
      pipe.closeReader()
      holds(ledger.live == 0 && pipe.pagesHeld == 0)
    }
    do {
      var pipe = Self.pipe(ledger)
      _ = Self.write(&pipe, 5000)
      pipe.closeReader()
      pipe.closeWriter()
      #expect(ledger.live == 0)
    }
  }

  /// A long stream through the pipe keeps at most 16 slots and one spare page.
  @Test func streamingKeepsFewPages() {
    let ledger = PageLedger()
    var pipe = Self.pipe(ledger)
    var written = 0
    var read = 0
    var state: UInt64 = 0x9e37_79b9_7f4a_7c15
    var mismatches = 0
    var mostPages = 0
    var countsAgree = true
    while read < 4 << 20 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      let size = Int(state >> 33) % 9000 + 1
      if state >> 40 & 1 == 0 {
        if case .transferred(let count) = Self.write(
          &pipe, size, pattern: { UInt8(truncatingIfNeeded: (written + $0) * 31) })
        {
          written += count
        }
      } else {
        let (result, bytes) = Self.read(&pipe, size)
        if case .transferred(let count) = result {
          for index in 0..<count
          where bytes[index] != UInt8(truncatingIfNeeded: (read + index) * 31) {
            mismatches += 1
          }
          read += count
        }
      }
      mostPages = max(mostPages, ledger.live)
      countsAgree = countsAgree && pipe.byteCount == written - read
    }
    #expect(mismatches == 0)
    #expect(mostPages <= Buffer.slotCount + 1)
    #expect(countsAgree)
    pipe.closeReader()
    pipe.closeWriter()
    #expect(ledger.live == 0)
  }

  @Test func faultsMoveNothing() {
    var pipe = Self.pipe()
    holds(pipe.write(count: 10) { _, _, _ in false } == .faulted)
    holds(pipe.isEmpty)
    #expect(Self.write(&pipe, 10) == .transferred(10))
    holds(pipe.read(count: 10) { _, _, _ in false } == .faulted)
    holds(pipe.byteCount == 10)
  }

  @Test func noPageIsOutOfMemory() {
    let ledger = PageLedger()
    ledger.limit = 1
    var pipe = Self.pipe(ledger)
    #expect(Self.write(&pipe, 4096) == .transferred(4096))
    #expect(Self.write(&pipe, 4096) == .outOfMemory)
    #expect(Self.write(&pipe, 8192) == .outOfMemory)
  }
}
