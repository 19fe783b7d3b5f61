/// A user buffer as a list of pieces (`struct iovec`s, or one piece for `read`/`write`),
/// addressed as one stream of bytes: a pipe copies its pages in and out at offsets of that
/// stream. Every piece passed the range check before (`FileCalls`); a copy that faults
/// answers false.
///
/// One buffer (`read`, `write`) is kept apart from the list so that the common call allocates
/// nothing on the kernel heap.
struct UserVectors {
  private var single: (base: UInt64, length: UInt64)?
  private var pieces: [(base: UInt64, length: UInt64)]

  /// One buffer.
  init(_ base: UInt64, count: UInt64) {
    single = (base, count)
    pieces = []
  }

  init(pieces: [(base: UInt64, length: UInt64)]) {
    single = nil
    self.pieces = pieces
  }

  /// The bytes of every piece.
  var total: UInt64 { single?.length ?? pieces.reduce(0) { $0 + $1.length } }

  /// Copies `count` bytes starting at stream offset `offset` into `destination`.
  func copyIn(at offset: Int, count: Int, to destination: UnsafeMutableRawPointer) -> Bool {
    visit(at: offset, count: count) { address, done, length in
      (try? UserMemory.copyIn(from: address, count: length, to: destination + done)) != nil
    }
  }

  /// Copies `count` bytes from `source` to stream offset `offset`.
  func copyOut(_ source: UnsafeRawPointer, at offset: Int, count: Int) -> Bool {
    visit(at: offset, count: count) { address, done, length in
      (try? UserMemory.copyOut(source + done, count: length, to: address)) != nil
    }
  }

  /// Calls `body(user address, bytes done so far, length)` for each piece the stream range
  /// `offset ..< offset + count` covers; stops at the first false.
  private func visit(at offset: Int, count: Int, _ body: (UInt64, Int, Int) -> Bool) -> Bool {
    if let single {
      return count == 0 || body(single.base + UInt64(offset), 0, count)
    }
    var skip = UInt64(offset)
    var done = 0
    for piece in pieces where done < count {
      guard skip < piece.length else {
        skip -= piece.length
        continue
      }
      let length = Int(min(piece.length - skip, UInt64(count - done)))
      guard body(piece.base + skip, done, length) else { return false }
      done += length
      skip = 0
    }
    return true
  }
}
