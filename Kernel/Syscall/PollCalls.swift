/// `poll`, `ppoll`, `select`, `pselect6` over the descriptor table. Nothing ever blocks: the
/// empty stdin is always readable (at end of file) and the console always writable, so a call
/// either reports ready descriptors at once or waits out its timeout on the TSC.
enum PollCalls {
  /// `struct pollfd { int fd; short events; short revents; }`.
  static let pollEntrySize: UInt64 = 8
  static let pollIn: UInt16 = 0x001
  static let pollOut: UInt16 = 0x004
  static let pollInvalid: UInt16 = 0x020
  static let pollReadNormal: UInt16 = 0x040
  static let pollWriteNormal: UInt16 = 0x100
  /// The most descriptors a `select` set may name (`FD_SETSIZE`) and `poll` may list.
  static let setLimit: UInt64 = 1024
  static let bitsPerWord: UInt64 = 64
  static let nanosecondsPerMillisecond: UInt64 = 1_000_000
  static let nanosecondsPerMicrosecond: UInt64 = 1000

  /// The `poll` events `file` is ready for.
  static func readiness(of file: OpenFile) -> UInt16 {
    let readable = pollIn | pollReadNormal
    return file == .console ? readable | pollOut | pollWriteNormal : readable
  }

  static func poll(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let milliseconds = Int32(truncatingIfNeeded: call.a2)
    let timeout: UInt64? = milliseconds < 0 ? nil : UInt64(milliseconds) * nanosecondsPerMillisecond
    return try poll(entries: call.a0, count: call.a1, timeout: timeout)
  }

  /// `ppoll(fds, nfds, timeout_ts, sigmask, sigsetsize)`: the signal mask is ignored.
  static func ppoll(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try poll(entries: call.a0, count: call.a1, timeout: try timespec(at: call.a2))
  }

  static func poll(entries: UInt64, count: UInt64, timeout: UInt64?) throws(LinuxErrno) -> UInt64 {
    guard count <= setLimit else { throw .EINVAL }
    guard UserPointer.isValid(entries, length: count * pollEntrySize) else { throw .EFAULT }
    var ready: UInt64 = 0
    for index in 0..<count {
      let address = entries + index * pollEntrySize
      let word = try UserMemory.readWord(at: address)
      let descriptor = Int32(truncatingIfNeeded: word)
      let events = UInt16(truncatingIfNeeded: word >> 32)
      var returned: UInt16 = 0
      if descriptor >= 0 {
        if let file = try? FileCalls.descriptors.file(UInt64(descriptor)) {
          returned = readiness(of: file) & events
        } else {
          returned = pollInvalid
        }
      }
      let reventsShift: UInt64 = 48  // fd (32 bits) and events (16 bits) come first
      let updated = (word & ((1 << reventsShift) - 1)) | UInt64(returned) << reventsShift
      try UserMemory.copyOut(LinuxStructures.littleEndian(updated), to: address)
      if returned != 0 { ready += 1 }
    }
    if ready == 0 { wait(timeout) }
    return ready
  }

  /// `select(nfds, readfds, writefds, exceptfds, timeout)` with a `timeval` timeout.
  static func select(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    var timeout: UInt64? = nil
    if call.a4 != 0 {
      let seconds = try UserMemory.readWord(at: call.a4)
      let microseconds = try UserMemory.readWord(at: call.a4 + 8)
      guard Int64(bitPattern: seconds) >= 0, Int64(bitPattern: microseconds) >= 0 else {
        throw .EINVAL
      }
      timeout =
        seconds.multipliedReportingOverflow(by: LinuxStructures.nanosecondsPerSecond)
        .partialValue &+ microseconds &* nanosecondsPerMicrosecond
    }
    return try select(count: call.a0, sets: (call.a1, call.a2, call.a3), timeout: timeout)
  }

  /// `pselect6(nfds, readfds, writefds, exceptfds, timeout_ts, sigmask)`.
  static func pselect6(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try select(
      count: call.a0, sets: (call.a1, call.a2, call.a3), timeout: try timespec(at: call.a4))
  }

  static func select(count: UInt64, sets: (UInt64, UInt64, UInt64), timeout: UInt64?)
    throws(LinuxErrno) -> UInt64
  {
    guard Int32(truncatingIfNeeded: count) >= 0, count <= setLimit else { throw .EINVAL }
    let words = Int((count + bitsPerWord - 1) / bitsPerWord)
    var read = try loadSet(sets.0, words: words)
    var write = try loadSet(sets.1, words: words)
    var except = try loadSet(sets.2, words: words)
    var ready: UInt64 = 0
    for descriptor in 0..<count {
      let word = Int(descriptor / bitsPerWord)
      let bit: UInt64 = 1 << (descriptor % bitsPerWord)
      guard (read[word] | write[word] | except[word]) & bit != 0 else { continue }
      let events = readiness(of: try FileCalls.descriptors.file(descriptor))
      if read[word] & bit != 0, events & pollIn == 0 { read[word] &= ~bit }
      if write[word] & bit != 0, events & pollOut == 0 { write[word] &= ~bit }
      except[word] &= ~bit
      ready += UInt64((read[word] & bit != 0 ? 1 : 0) + (write[word] & bit != 0 ? 1 : 0))
    }
    try storeSet(read, at: sets.0)
    try storeSet(write, at: sets.1)
    try storeSet(except, at: sets.2)
    if ready == 0 { wait(timeout) }
    return ready
  }

  static func loadSet(_ address: UInt64, words: Int) throws(LinuxErrno) -> [UInt64] {
    var set = [UInt64](repeating: 0, count: max(words, 1))
    guard address != 0 else { return set }
    for index in 0..<words { set[index] = try UserMemory.readWord(at: address + UInt64(index * 8)) }
    return set
  }

  static func storeSet(_ set: [UInt64], at address: UInt64) throws(LinuxErrno) {
    guard address != 0 else { return }
    var bytes: [UInt8] = []
    for word in set { bytes += LinuxStructures.littleEndian(word) }
    try UserMemory.copyOut(bytes, to: address)
  }

  /// A `timespec` timeout in nanoseconds; nil for a null pointer (wait forever).
  static func timespec(at address: UInt64) throws(LinuxErrno) -> UInt64? {
    guard address != 0 else { return nil }
    let seconds = try UserMemory.readWord(at: address)
    let nanoseconds = try UserMemory.readWord(at: address + 8)
    guard Int64(bitPattern: seconds) >= 0, nanoseconds < LinuxStructures.nanosecondsPerSecond
    else { throw .EINVAL }
    return seconds.multipliedReportingOverflow(by: LinuxStructures.nanosecondsPerSecond)
      .partialValue &+ nanoseconds
  }

  /// Nothing is ready: wait out the timeout (forever without one, as Linux would block).
  static func wait(_ timeout: UInt64?) {
    let deadline =
      timeout.map { MonotonicClock.nanoseconds().addingReportingOverflow($0).partialValue }
      ?? UInt64.max
    while MonotonicClock.nanoseconds() < deadline {}
  }
}
