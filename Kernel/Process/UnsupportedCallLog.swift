/// Which unsupported system calls a process has already been told about, so that each number
/// costs one kernel line per process, not one per call (a serial line is ~70 µs under TCG: a
/// program probing a missing call in a loop would otherwise spend its time printing).
///
/// Bounded memory: one bit per call number below `trackedNumbers` (Linux x86-64 numbers end
/// below 512: the x32 range starts at 512), and one flag for every number above.
struct UnsupportedCallLog {
  /// Call numbers with a bit of their own.
  static let trackedNumbers: UInt64 = 512
  static let bitsPerWord: UInt64 = 64

  private var seen = [UInt64](repeating: 0, count: Int(trackedNumbers / bitsPerWord))
  private var seenOutOfRange = false

  /// Records `number`; true the first time it (or, above `trackedNumbers`, any such number)
  /// is seen.
  mutating func isFirst(_ number: UInt64) -> Bool {
    guard number < Self.trackedNumbers else {
      defer { seenOutOfRange = true }
      return !seenOutOfRange
    }
    let word = Int(number / Self.bitsPerWord)
    let bit: UInt64 = 1 << (number % Self.bitsPerWord)
    defer { seen[word] |= bit }
    return seen[word] & bit == 0
  }

  /// Whether `number` has no bit of its own (its log line says so).
  static func isOutOfRange(_ number: UInt64) -> Bool { number >= trackedNumbers }
}
