/// The terminal `ioctl`s of the console terminal (drivers/tty/tty_io.c `tty_ioctl`,
/// tty_jobctrl.c, n_tty.c `n_tty_ioctl`), as busybox `sh`, `ls`, `ps` and bash use them:
///
/// - `TCGETS`; `TCSETS`, `TCSETSW` (output always drained already), `TCSETSF` (pending input
///   discarded too); `TCFLSH`, `TCXONC` and `TCSBRK` (`tcdrain`) accepted;
/// - `TIOCGWINSZ` / `TIOCSWINSZ` (a serial line starts at 0 × 0, as Linux's);
/// - `TIOCGPGRP` / `TIOCSPGRP` (the foreground group: a group of the caller's session, EPERM
///   otherwise), `TIOCGSID`, `TIOCSCTTY`, `TIOCNOTTY` — ENOTTY when the terminal is not the
///   caller's controlling terminal, as Linux's `tty_check_change` / `tiocgpgrp`;
/// - `FIONREAD` (bytes a read could take), `TIOCOUTQ` (0: output is synchronous), `FIONBIO`.
///
/// Any other request is ENOTTY (what Linux's `tty_ioctl` makes of a request no layer knows).
enum TerminalControl {
  static func ioctl(_ terminal: ConsoleTerminal, request: UInt64, argument: UInt64)
    throws(LinuxErrno) -> UInt64
  {
    let process = ProcessRunner.current!
    switch request {
    case TerminalRequest.TCGETS:
      try UserMemory.copyOut(terminal.discipline.settings.bytes, to: argument)
    case TerminalRequest.TCSETS, TerminalRequest.TCSETSW, TerminalRequest.TCSETSF:
      let settings = TerminalSettings(
        bytes: try UserMemory.copyIn(from: argument, count: TerminalSettings.size))
      if request == TerminalRequest.TCSETSF { terminal.discipline.flushInput() }
      terminal.discipline.apply(settings)
      terminal.inputChanged()  // a read waiting in the old mode looks again
    case TerminalRequest.TCFLSH:
      guard argument <= TerminalRequest.TCIOFLUSH else { throw .EINVAL }
      if argument != TerminalRequest.TCOFLUSH { terminal.discipline.flushInput() }
    case TerminalRequest.TCXONC:
      guard argument <= TerminalRequest.TCION else { throw .EINVAL }
    case TerminalRequest.TCSBRK, TerminalRequest.TIOCOUTQ:
      if request == TerminalRequest.TIOCOUTQ { try storeInt(0, at: argument) }
    case TerminalRequest.TIOCGWINSZ:
      try UserMemory.copyOut(terminal.windowSize.bytes, to: argument)
    case TerminalRequest.TIOCSWINSZ:
      terminal.windowSize = WindowSize(
        bytes: try UserMemory.copyIn(from: argument, count: WindowSize.size))
    case TerminalRequest.FIONREAD:
      try storeInt(UInt32(terminal.discipline.readableCount), at: argument)
    case TerminalRequest.FIONBIO:
      terminal.nonBlocking = try loadInt(argument) != 0
    default:
      return try sessionControl(terminal, process, request: request, argument: argument)
    }
    return 0
  }

  /// The requests about sessions and process groups.
  static func sessionControl(
    _ terminal: ConsoleTerminal, _ process: UserProcess, request: UInt64, argument: UInt64
  ) throws(LinuxErrno) -> UInt64 {
    switch request {
    case TerminalRequest.TIOCGPGRP:
      guard terminal.controls(process) else { throw .ENOTTY }
      try storeInt(UInt32(truncatingIfNeeded: terminal.foregroundGroup), at: argument)
    case TerminalRequest.TIOCGSID:
      guard terminal.controls(process), let session = terminal.session else { throw .ENOTTY }
      try storeInt(UInt32(truncatingIfNeeded: session), at: argument)
    case TerminalRequest.TIOCSPGRP:
      guard terminal.controls(process) else { throw .ENOTTY }
      let group = Int32(bitPattern: try loadInt(argument))
      guard group >= 0 else { throw .EINVAL }
      let exists = Scheduler.shared.table.processes.contains {
        $0.groupID == UInt64(group) && !$0.isZombie
      }
      guard exists else { throw .ESRCH }
      let inSession = Scheduler.shared.table.processes.contains {
        $0.groupID == UInt64(group) && $0.sessionID == process.sessionID
      }
      guard inSession else { throw .EPERM }
      terminal.foregroundGroup = UInt64(group)
    case TerminalRequest.TIOCSCTTY:
      // Already its controlling terminal: nothing to do. Else only a session leader may take
      // it, and from another session only with `arg` 1 (root may steal it).
      if terminal.controls(process) { return 0 }
      guard process.sessionID == process.id else { throw .EPERM }
      if terminal.session != nil && argument != 1 { throw .EPERM }
      terminal.session = process.sessionID
      terminal.foregroundGroup = process.groupID
    case TerminalRequest.TIOCNOTTY:
      guard terminal.controls(process) else { throw .ENOTTY }
      if process.sessionID == process.id { terminal.session = nil }
    default: throw .ENOTTY
    }
    return 0
  }

  /// An `int` argument's value.
  static func loadInt(_ address: UInt64) throws(LinuxErrno) -> UInt32 {
    let bytes = try UserMemory.copyIn(from: address, count: 4)
    return UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16
      | UInt32(bytes[3]) << 24
  }

  static func storeInt(_ value: UInt32, at address: UInt64) throws(LinuxErrno) {
    try UserMemory.copyOut(
      [
        UInt8(truncatingIfNeeded: value), UInt8(truncatingIfNeeded: value >> 8),
        UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 24),
      ], to: address)
  }
}
