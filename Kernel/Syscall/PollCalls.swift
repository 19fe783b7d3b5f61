/// `poll`, `ppoll`, `select`, `pselect6` over the descriptor table. Stdin is always readable
/// (at end of file) and the console always writable; a pipe end is readable when it holds
/// bytes (POLLIN) or has no writer left (POLLHUP), writable when a slot is free (POLLOUT) or no
/// reader is left (POLLERR), as Linux's `pipe_poll`. POLLERR and POLLHUP are reported whether
/// asked for or not; `select` counts them as readable / writable (`POLLIN_SET`,
/// `POLLOUT_SET`). With nothing ready the call really waits (`waitForChange`): on a queue of
/// its own that every polled pipe wakes when it changes, and on the timer for the deadline
/// (forever without one, as Linux); then it looks again.
///
/// `select`, `pselect6` and `ppoll` write the time left back into their timeout (Linux's
/// `poll_select_finish`: not for a zero timeout, and a timeout that cannot be written back is
/// no error); `poll` takes milliseconds by value.
///
/// Interrupted by a signal, all four answer EINTR once a handler runs, SA_RESTART or not; with
/// no handler they restart: `select`, `pselect6` and `ppoll` (`ERESTARTNOHAND`) from the time
/// left they wrote back (EINTR when it could not be written: Linux's "sticky" case), `poll`
/// (`ERESTART_RESTARTBLOCK`) through `restart_syscall` with its deadline.
enum PollCalls {
  /// `struct pollfd { int fd; short events; short revents; }`.
  static let pollEntrySize: UInt64 = 8
  static let pollIn: UInt16 = 0x001
  static let pollOut: UInt16 = 0x004
  static let pollPriority: UInt16 = 0x002
  static let pollError: UInt16 = 0x008
  static let pollHangUp: UInt16 = 0x010
  static let pollInvalid: UInt16 = 0x020
  static let pollReadBand: UInt16 = 0x080
  static let pollWriteBand: UInt16 = 0x200
  /// What `select` counts as readable, writable, exceptional (fs/select.c).
  static let selectReadSet = pollReadNormal | pollReadBand | pollIn | pollHangUp | pollError
  static let selectWriteSet = pollWriteBand | pollWriteNormal | pollOut | pollError
  static let selectExceptSet = pollPriority
  static let pollReadNormal: UInt16 = 0x040
  static let pollWriteNormal: UInt16 = 0x100
  static let bitsPerWord: UInt64 = 64
  static let nanosecondsPerMillisecond: UInt64 = 1_000_000
  static let nanosecondsPerMicrosecond: UInt64 = 1000

  /// The `poll` events `file` is ready for.
  static func readiness(of file: OpenFile) -> UInt16 {
    let readable = pollIn | pollReadNormal
    let writable = pollOut | pollWriteNormal
    guard case .pipe(let end) = file else {
      if let terminal = ConsoleTerminal.of(file) {
        return (terminal.discipline.isReadable ? readable : 0) | writable
      }
      return file == .console ? readable | writable : readable
    }
    let buffer = end.pipe
    if end.isReadEnd {
      return (buffer.buffer.isEmpty ? 0 : readable) | (buffer.buffer.writers == 0 ? pollHangUp : 0)
    }
    return (buffer.buffer.isFull ? 0 : writable) | (buffer.buffer.readers == 0 ? pollError : 0)
  }

  /// The pipe behind `file`, if any (what a waiting poll watches).
  static func pipe(of file: OpenFile) -> Pipe? {
    if case .pipe(let end) = file { return end.pipe }
    return nil
  }

  static func poll(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let milliseconds = Int32(truncatingIfNeeded: call.a2)
    let timeout: UInt64? = milliseconds < 0 ? nil : UInt64(milliseconds) * nanosecondsPerMillisecond
    return try restartablePoll(entries: call.a0, count: call.a1, deadline: deadline(after: timeout))
  }

  /// `poll` (and its resumption by `restart_syscall`): interrupted by a signal, the restart
  /// block records the descriptors and the deadline and the answer is
  /// `ERESTART_RESTARTBLOCK` (Linux's `do_restart_poll`), so a restart keeps the deadline.
  static func restartablePoll(entries: UInt64, count: UInt64, deadline: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    do throws(LinuxErrno) {
      return try poll(entries: entries, count: count, deadline: deadline)
    } catch {
      guard error == .ERESTARTNOHAND else { throw error }
      Processor.current.thread.restartBlock = .poll(
        entries: entries, count: count, deadline: deadline)
      throw .ERESTART_RESTARTBLOCK
    }
  }

  /// `ppoll(fds, nfds, timeout_ts, sigmask, sigsetsize)`: waits with `sigmask` as the signal
  /// mask (`PollSignalMask`).
  static func ppoll(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let timeout = try timespec(at: call.a2)
    let mask = try PollSignalMask.read(call.a3, size: call.a4)
    let deadline = deadline(after: timeout)
    return try writingBackTimeLeft(until: deadline, of: timeout, to: call.a2, as: .timespec) {
      () throws(LinuxErrno) in
      try PollSignalMask.waiting(with: mask) { () throws(LinuxErrno) in
        try poll(entries: call.a0, count: call.a1, deadline: deadline)
      }
    }
  }

  /// `nfds` is an `unsigned int`; more than the soft `RLIMIT_NOFILE` is EINVAL. Each pass
  /// writes every `revents`; with none set it waits for a change and looks again.
  static func poll(entries: UInt64, count fullCount: UInt64, deadline: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let count = UInt64(UInt32(truncatingIfNeeded: fullCount))
    guard count <= FileCalls.descriptorLimit else { throw .EINVAL }
    guard UserPointer.isValid(entries, length: count * pollEntrySize) else { throw .EFAULT }
    while true {
      var ready: UInt64 = 0
      var pipes: [Pipe] = []
      for index in 0..<count {
        let address = entries + index * pollEntrySize
        let word = try UserMemory.readWord(at: address)
        let descriptor = Int32(truncatingIfNeeded: word)
        let events = UInt16(truncatingIfNeeded: word >> 32)
        var returned: UInt16 = 0
        if descriptor >= 0 {
          if let file = try? FileCalls.descriptors.file(UInt64(descriptor)) {
            returned = readiness(of: file) & (events | pollError | pollHangUp)
            if let pipe = pipe(of: file) { pipes.append(pipe) }
          } else {
            returned = pollInvalid
          }
        }
        let reventsShift: UInt64 = 48  // fd (32 bits) and events (16 bits) come first
        let updated = (word & ((1 << reventsShift) - 1)) | UInt64(returned) << reventsShift
        try UserMemory.copyOut(LinuxStructures.littleEndian(updated), to: address)
        if returned != 0 { ready += 1 }
      }
      if ready > 0 || MonotonicClock.nanoseconds() >= deadline { return ready }
      try waitForChange(of: pipes, until: deadline)
    }
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
    let deadline = deadline(after: timeout)
    return try writingBackTimeLeft(until: deadline, of: timeout, to: call.a4, as: .timeval) {
      () throws(LinuxErrno) in
      try select(count: call.a0, sets: (call.a1, call.a2, call.a3), deadline: deadline)
    }
  }

  /// `pselect6(nfds, readfds, writefds, exceptfds, timeout_ts, sigmask)`: waits with the
  /// mask `sigmask` points to (`PollSignalMask`).
  static func pselect6(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let mask = try PollSignalMask.readPacked(call.a5)  // the pack first, as Linux
    let timeout = try timespec(at: call.a4)
    let deadline = deadline(after: timeout)
    return try writingBackTimeLeft(until: deadline, of: timeout, to: call.a4, as: .timespec) {
      () throws(LinuxErrno) in
      try PollSignalMask.waiting(with: mask) { () throws(LinuxErrno) in
        try select(count: call.a0, sets: (call.a1, call.a2, call.a3), deadline: deadline)
      }
    }
  }

  /// `nfds` (an `int`: negative is EINVAL) is clamped to the descriptor table's size, Linux's
  /// `max_fds`: bits above it are neither read nor checked. The sets are read once; each pass
  /// answers from them, and with nothing ready the call waits for a change and looks again.
  static func select(count requested: UInt64, sets: (UInt64, UInt64, UInt64), deadline: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let signedCount = Int32(truncatingIfNeeded: requested)
    guard signedCount >= 0 else { throw .EINVAL }
    let count = min(UInt64(signedCount), UInt64(FileCalls.descriptors.capacity))
    let words = Int((count + bitsPerWord - 1) / bitsPerWord)
    let asked = (
      try loadSet(sets.0, words: words), try loadSet(sets.1, words: words),
      try loadSet(sets.2, words: words)
    )
    while true {
      var read = asked.0
      var write = asked.1
      var except = asked.2
      var ready: UInt64 = 0
      var pipes: [Pipe] = []
      for descriptor in 0..<count {
        let word = Int(descriptor / bitsPerWord)
        let bit: UInt64 = 1 << (descriptor % bitsPerWord)
        guard (read[word] | write[word] | except[word]) & bit != 0 else { continue }
        let file = try FileCalls.descriptors.file(descriptor)
        let events = readiness(of: file)
        if let pipe = pipe(of: file) { pipes.append(pipe) }
        if read[word] & bit != 0, events & selectReadSet == 0 { read[word] &= ~bit }
        if write[word] & bit != 0, events & selectWriteSet == 0 { write[word] &= ~bit }
        if except[word] & bit != 0, events & selectExceptSet == 0 { except[word] &= ~bit }
        ready += UInt64(
          (read[word] & bit != 0 ? 1 : 0) + (write[word] & bit != 0 ? 1 : 0)
            + (except[word] & bit != 0 ? 1 : 0))
      }
      if ready > 0 || MonotonicClock.nanoseconds() >= deadline {
        try storeSet(read, at: sets.0)
        try storeSet(write, at: sets.1)
        try storeSet(except, at: sets.2)
        return ready
      }
      try waitForChange(of: pipes, until: deadline)
    }
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

  /// The monotonic time `timeout` nanoseconds from now; never for no timeout (nil).
  static func deadline(after timeout: UInt64?) -> UInt64 {
    guard let timeout else { return UInt64.max }
    let (deadline, overflow) = MonotonicClock.nanoseconds().addingReportingOverflow(timeout)
    return overflow ? UInt64.max : deadline
  }

  /// Nothing is ready: wait until one of `pipes` changes or the deadline passes (forever
  /// without one, as Linux would block). The wait is on a queue of this call's own that each
  /// pipe wakes while it is registered there (Linux's poll table); interrupted, the answer of
  /// `Interruption` for `ERESTARTNOHAND`.
  static func waitForChange(of pipes: [Pipe], until deadline: UInt64) throws(LinuxErrno) {
    // A signal its own mask just unblocked (ppoll, pselect6) ends it before it waits.
    if SignalWaits.hasDeliverable() { throw Interruption.answer(restarting: .ERESTARTNOHAND) }
    let queue = WaitQueue()
    for pipe in pipes { pipe.watch(with: queue) }
    ConsoleTerminal.active?.watch(with: queue)  // any poll looks again on terminal input
    let reason = queue.wait(until: deadline)
    for pipe in pipes { pipe.stopWatching(with: queue) }
    ConsoleTerminal.active?.stopWatching(with: queue)
    if reason == .interrupted { throw Interruption.answer(restarting: .ERESTARTNOHAND) }
  }

  /// How a timeout is laid out in user memory.
  enum TimeoutLayout { case timeval, timespec }

  /// Runs `body`, then (whether it succeeded or failed) writes the time left before `deadline`
  /// to the timeout at `address`, unless there was none or it was zero. A write that faults
  /// is ignored: the call's result stands — but an interrupted call that could not write the
  /// time left back cannot be restarted from it, and answers EINTR (`poll_select_finish`).
  static func writingBackTimeLeft(
    until deadline: UInt64, of timeout: UInt64?, to address: UInt64, as layout: TimeoutLayout,
    _ body: () throws(LinuxErrno) -> UInt64
  ) throws(LinuxErrno) -> UInt64 {
    let result: Result<UInt64, LinuxErrno>
    do throws(LinuxErrno) { result = .success(try body()) } catch { result = .failure(error) }
    if let timeout, timeout != 0 {
      let now = MonotonicClock.nanoseconds()
      let left = deadline > now ? deadline - now : 0
      let image =
        layout == .timeval
        ? LinuxStructures.timeval(nanoseconds: left) : LinuxStructures.timespec(nanoseconds: left)
      do throws(LinuxErrno) {
        try UserMemory.copyOut(image, to: address)
      } catch {
        if case .failure(.ERESTARTNOHAND) = result { throw .EINTR }
      }
    }
    return try result.get()
  }
}
