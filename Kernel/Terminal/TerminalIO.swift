/// `read` and `write` on the console terminal (Linux's `n_tty_read` / `n_tty_write`).
///
/// A canonical read waits for a completed line and returns at most that line (0 at an end of
/// file, ^D on an empty line); a non-canonical read follows `VMIN` / `VTIME`
/// (`NonCanonicalRead`). With `O_NONBLOCK` a read that would wait answers EAGAIN. A wait
/// interrupted by a signal answers `ERESTARTSYS` (EINTR, or restarted under SA_RESTART) when
/// nothing was read yet, else the bytes so far. Background process groups are not stopped
/// (no SIGTTIN / SIGTTOU: there is no job control).
///
/// Writes go through output processing (`OPOST`, `ONLCR`) and out at once.
extension ConsoleTerminal {
  func read(to buffer: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    let wanted = Int(min(count, UInt64(LineDiscipline.bufferSize)))
    guard wanted > 0 else { return 0 }
    let bytes =
      discipline.settings.isCanonical ? try readLine(wanted) : try readBytes(wanted)
    guard !bytes.isEmpty else { return 0 }
    try UserMemory.copyOut(bytes, to: buffer)
    return UInt64(bytes.count)
  }

  private func readLine(_ wanted: Int) throws(LinuxErrno) -> [UInt8] {
    while true {
      switch discipline.read(wanted) {
      case .data(let bytes): return bytes
      case .endOfFile: return []
      case .empty:
        if !discipline.settings.isCanonical { return try readBytes(wanted) }
        try wait(until: .max)
      }
    }
  }

  private func readBytes(_ wanted: Int) throws(LinuxErrno) -> [UInt8] {
    var timing = NonCanonicalRead(
      settings: discipline.settings, requested: wanted, now: MonotonicClock.nanoseconds())
    var bytes: [UInt8] = []
    while bytes.count < wanted {
      if case .data(let more) = discipline.read(wanted - bytes.count) { bytes += more }
      guard bytes.count < wanted else { break }
      guard
        case .wait(let deadline) = timing.next(
          count: bytes.count, now: MonotonicClock.nanoseconds())
      else { break }
      do throws(LinuxErrno) {
        try wait(until: deadline)
      } catch {
        if bytes.isEmpty { throw error }
        break
      }
      if discipline.settings.isCanonical { break }  // TCSETS during the wait: return what is here
    }
    return bytes
  }

  /// Sleeps until input changes or `deadline` passes; EAGAIN under `O_NONBLOCK`.
  private func wait(until deadline: UInt64) throws(LinuxErrno) {
    guard !nonBlocking else { throw .EAGAIN }
    guard receiving else { throw .EAGAIN }  // no input interrupt: nothing would ever come
    if readers.wait(until: deadline) == .interrupted {
      throw Interruption.answer(restarting: .ERESTARTSYS)
    }
  }

  /// Writes `source` through output processing.
  func write(_ source: UnsafeRawBufferPointer) {
    var output: [UInt8] = []
    output.reserveCapacity(source.count + source.count / 8)
    let settings = discipline.settings
    for byte in source { LineDiscipline.processOutput(byte, settings: settings, into: &output) }
    output.withUnsafeBytes { ProcessConsole.writeProgramOutput($0) }
  }
}
