/// The serial console as a terminal (a tty): booted with `console=tty` on its command line
/// (tools/run-elf when its stdin is a terminal, `make shell`), the console's descriptors —
/// 0, 1 and 2 of each launch's first process, `/dev/console`, `/dev/tty` — read the keyboard
/// through the line discipline (`LineDiscipline`, Sources/LinuxABI/Terminal) and answer the
/// terminal `ioctl`s (`TerminalControl`). Without it the console stays what it was: write-only,
/// reads at end of file, ENOTTY (byte for byte the output of before).
///
/// Input comes by interrupt: COM1's IRQ 4, routed through the I/O APIC to
/// `InterruptVector.serialConsole`. The handler drains the UART into the line discipline,
/// sends the echo, raises ^C / ^\ as SIGINT / SIGQUIT to the foreground process group, and
/// wakes the readers and pollers. Readers sleep on `readers` (no busy-wait); interrupts are
/// only taken in ring 3 and while the CPU idles, so a reader checking the discipline and
/// going to sleep cannot miss a byte on one CPU.
///
/// The controlling-terminal model: the terminal belongs to one session (`session`) and every
/// process of that session has it as its controlling terminal (Linux's per-process `tty`
/// pointer is the same for a whole session, except after `TIOCNOTTY`). Each launch's first
/// process starts as the leader of the terminal's session and its foreground group, as a
/// getty's child would.
///
/// LOCK: the terminal's lock (Linux's `termios_rwsem` and the ldisc's locks in one) guards
/// every field: taken by the interrupt handler (with interrupts off) and by system calls.
final class ConsoleTerminal {
  /// The machine's console terminal when the command line asked for one (the device
  /// registry owns it: one COM1 per machine); nil before boot built the machine.
  static var active: ConsoleTerminal? { Machine.booted?.devices.consoleTerminal }
  /// The command-line word that makes the console a terminal.
  static let commandLineWord = "console=tty"
  /// COM1's ISA interrupt line.
  static let serialIRQ: UInt32 = 4

  var discipline = LineDiscipline()
  var windowSize = WindowSize.unknown
  /// The session whose controlling terminal this is (nil: none), and its foreground group.
  var session: UInt64? = nil
  var foregroundGroup: UInt64 = 0
  /// `O_NONBLOCK` of the console's open file (every descriptor of the console shares it, as
  /// a shell and its children share their inherited terminal file).
  var nonBlocking = false
  /// Whether input interrupts reach it (a CPU without a local APIC has none).
  var receiving = false
  /// Threads waiting in `read`.
  let readers = WaitQueue()
  /// `poll`/`select` waiters (their own queues, for the length of their wait).
  var pollers: [WaitQueue] = []
  /// Bytes received, for the boot line of the next launch.
  var bytesReceived: UInt64 = 0

  /// The console as a terminal when `commandLine` asks for it (for the device registry).
  static func requested(by commandLine: String) -> ConsoleTerminal? {
    guard commandLine.split(separator: " ").contains(where: { $0 == commandLineWord }) else {
      return nil
    }
    return ConsoleTerminal()
  }

  /// Routes COM1's interrupt and lets the UART raise it (after the local APIC is enabled).
  static func start() {
    guard let terminal = active, !terminal.receiving else { return }
    guard let timer = EventTimer.local else {
      ProcessConsole.line("console terminal: no local APIC, so no input interrupts")
      return
    }
    let apicIdentifierShift: UInt32 = 24  // the local APIC ID register's ID field
    let apic = timer.apic.read(.identifier) >> apicIdentifierShift
    IOAPIC.locate().route(pin: serialIRQ, vector: InterruptVector.serialConsole, toAPIC: apic)
    while Console.port.receive() != nil {}  // stale bytes from before
    Console.port.enableReceiveInterrupt()
    terminal.receiving = true
    ProcessConsole.line(
      "console terminal: COM1 input on IRQ 4, I/O APIC input 4, vector "
        + hex(InterruptVector.serialConsole))
  }

  /// The serial interrupt (`DeviceRegistry.interrupt`): every waiting byte through the line
  /// discipline.
  func drainReceiver() {
    var signals: [LinuxSignal] = []
    while let byte = Console.port.receive() {
      bytesReceived += 1
      if let signal = discipline.receive(byte) { signals.append(signal) }
    }
    sendEcho()
    for signal in signals { signalForegroundGroup(signal) }
    inputChanged()
  }

  /// The echo goes out at once (output is synchronous).
  func sendEcho() {
    let echo = discipline.takeEcho()
    guard !echo.isEmpty else { return }
    echo.withUnsafeBytes { ProcessConsole.writeProgramOutput($0) }
  }

  /// Readers and pollers look again.
  func inputChanged() {
    readers.wakeAll()
    for poller in pollers { poller.wakeAll() }
  }

  /// `isig`: the signal to every process of the foreground group, as the kernel's (SI_KERNEL).
  func signalForegroundGroup(_ signal: LinuxSignal) {
    guard session != nil else { return }
    let group = foregroundGroup
    for process in Scheduler.shared.table.processes where process.groupID == group {
      if case .terminates(let fatal) = ProcessFamily.send(
        signal, to: process, info: .kernel(signal))
      {
        ProcessFamily.kill(process, signal: UInt64(fatal.rawValue))
      }
    }
  }

  /// `poll`/`select` waits on `queue` too until `stopWatching`.
  func watch(with queue: WaitQueue) { pollers.append(queue) }

  func stopWatching(with queue: WaitQueue) {
    if let index = pollers.firstIndex(where: { $0 === queue }) { pollers.remove(at: index) }
  }

  /// A launch's first process: the leader of the terminal's session and its foreground
  /// group, with a fresh line discipline (a new login on the line).
  func attach(_ process: UserProcess) {
    discipline = LineDiscipline()
    nonBlocking = false
    session = process.sessionID
    foregroundGroup = process.groupID
  }

  /// Whether `process` has this terminal as its controlling terminal.
  func controls(_ process: UserProcess) -> Bool { session == process.sessionID }
}
