/// The terminal line discipline (Linux's N_TTY, drivers/tty/n_tty.c) without the device: bytes
/// received from the line go in (`receive`), what a `read` may take comes out (`read`), and what
/// must be sent back — the echo — collects in `echo`, already through output processing.
///
/// Input processing, in Linux's order: `ISTRIP`; CR/NL mapping (`IGNCR`, `ICRNL`, `INLCR`);
/// with `ISIG` the `VINTR` / `VQUIT` characters raise SIGINT / SIGQUIT (returned, for the caller
/// to send to the foreground process group) and flush the input unless `NOFLSH`; `VSUSP` (^Z)
/// is swallowed without a signal (job control is not supported: no process here can be
/// stopped). In canonical mode (`ICANON`) a line is edited — `VERASE`, `VKILL`, and with
/// `IEXTEN` `VWERASE` and `VLNEXT` — until NL, `VEOL`, `VEOL2` or `VEOF` completes it; `VEOF`
/// on an empty line is end of file. Otherwise every byte is readable at once.
///
/// Echo follows `ECHO`, `ECHOE` (erase as BS SP BS), `ECHOK` / `ECHOKE` (the kill character),
/// `ECHONL` and `ECHOCTL` (control characters as `^X`). Erasing a tab moves back one column
/// only (Linux recomputes the tab's width from the line; nothing here tracks columns).
///
/// Bounded as Linux's buffer: at most `bufferSize` (`N_TTY_BUF_SIZE`) bytes wait, a canonical
/// line holds at most `bufferSize - 1` (room for its newline); what does not fit is dropped, as
/// a UART without flow control loses it.
///
/// LOCK: the terminal's lock (the serial interrupt and system calls both change it).
public struct LineDiscipline {
  /// `N_TTY_BUF_SIZE`.
  public static let bufferSize = 4096
  static let newline: UInt8 = 0x0a
  static let carriageReturn: UInt8 = 0x0d
  static let backspace: UInt8 = 0x08
  static let space: UInt8 = 0x20
  static let tab: UInt8 = 0x09
  static let caret = UInt8(ascii: "^")
  static let delete: UInt8 = 0x7f
  /// `ECHOCTL` shows a control character as `^` and the character with bit 6 flipped.
  static let controlShift: UInt8 = 0x40
  /// The seven bits `ISTRIP` keeps.
  static let sevenBits: UInt8 = 0x7f
  /// A UTF-8 continuation byte is 10xxxxxx.
  static let continuationMask: UInt8 = 0xc0
  static let continuationBits: UInt8 = 0x80

  public private(set) var settings: TerminalSettings
  /// Completed canonical lines, oldest first, each with its terminator; an empty one is an end
  /// of file (`VEOF` on an empty line).
  private var lines: [[UInt8]] = []
  /// How much of `lines[0]` a read already took.
  private var lineOffset = 0
  /// The canonical line being edited.
  private var editing: [UInt8] = []
  /// Non-canonical input not yet read, from `rawStart` on.
  private var raw: [UInt8] = []
  private var rawStart = 0
  /// `VLNEXT` was typed: the next byte is taken literally.
  private var literalNext = false
  /// What must be sent to the line: echoes, output-processed.
  public var echo: [UInt8] = []

  public init(settings: TerminalSettings = .serialConsole) { self.settings = settings }

  // MARK: Settings

  /// `TCSETS`: new settings. Leaving canonical mode makes the lines and the line being edited
  /// readable at once; entering it makes raw input already there one completed line (Linux's
  /// `n_tty_set_termios`).
  public mutating func apply(_ new: TerminalSettings) {
    let wasCanonical = settings.isCanonical
    settings = new
    if wasCanonical && !new.isCanonical {
      var pending: [UInt8] = []
      for (index, line) in lines.enumerated() {
        pending += index == 0 ? Array(line[lineOffset...]) : line
      }
      raw = pending + editing
      rawStart = 0
      lines = []
      lineOffset = 0
      editing = []
    } else if !wasCanonical && new.isCanonical {
      let pending = Array(raw[rawStart...])
      raw = []
      rawStart = 0
      if !pending.isEmpty { lines.append(pending) }
    }
  }

  /// `TCFLSH` (and `TCSETSF`, and a signal character without `NOFLSH`): pending input goes.
  public mutating func flushInput() {
    lines = []
    lineOffset = 0
    editing = []
    raw = []
    rawStart = 0
    literalNext = false
  }

  // MARK: Reading

  /// What a read found.
  public enum ReadResult: Equatable {
    /// Bytes taken (never more than asked, never past a canonical line's end).
    case data([UInt8])
    /// An end of file was taken (canonical `VEOF` on an empty line).
    case endOfFile
    /// Nothing to take yet.
    case empty
  }

  /// Takes up to `count` (> 0) readable bytes: canonical, from the oldest completed line only.
  public mutating func read(_ count: Int) -> ReadResult {
    if settings.isCanonical {
      guard let line = lines.first else { return .empty }
      if line.isEmpty {
        lines.removeFirst()
        return .endOfFile
      }
      let end = min(line.count, lineOffset + count)
      let taken = Array(line[lineOffset..<end])
      lineOffset = end
      if end == line.count {
        lines.removeFirst()
        lineOffset = 0
      }
      return .data(taken)
    }
    guard rawStart < raw.count else { return .empty }
    let end = min(raw.count, rawStart + count)
    let taken = Array(raw[rawStart..<end])
    rawStart = end
    if rawStart == raw.count {
      raw = []
      rawStart = 0
    }
    return .data(taken)
  }

  /// `FIONREAD` / `TIOCINQ`: canonical, the bytes of completed lines; else every waiting byte.
  public var readableCount: Int {
    guard settings.isCanonical else { return raw.count - rawStart }
    var total = 0
    for line in lines { total += line.count }
    return total - lineOffset
  }

  /// Whether `poll` reports POLLIN: a completed line (an end of file too); non-canonical, a
  /// byte — `VMIN` bytes when `VTIME` is 0 (Linux's `input_available_p` for poll).
  public var isReadable: Bool {
    if settings.isCanonical { return !lines.isEmpty }
    let needed = settings.timeoutTenths == 0 ? max(settings.minimumBytes, 1) : 1
    return raw.count - rawStart >= needed
  }

  private var heldBytes: Int {
    var total = editing.count + raw.count - rawStart
    for line in lines { total += line.count }
    return total - lineOffset
  }

  // MARK: Receiving

  /// Processes one byte from the line; returns the signal it raises for the foreground process
  /// group, if any.
  public mutating func receive(_ received: UInt8) -> LinuxSignal? {
    var byte = received
    if settings.input(TerminalSettings.ISTRIP) { byte &= Self.sevenBits }
    if literalNext {
      literalNext = false
      store(byte)
      return nil
    }
    if byte == Self.carriageReturn {
      if settings.input(TerminalSettings.IGNCR) { return nil }
      if settings.input(TerminalSettings.ICRNL) { byte = Self.newline }
    } else if byte == Self.newline && settings.input(TerminalSettings.INLCR) {
      byte = Self.carriageReturn
    }
    if settings.local(TerminalSettings.ISIG) {
      if settings.isCharacter(byte, TerminalSettings.VINTR) { return signal(.SIGINT, byte) }
      if settings.isCharacter(byte, TerminalSettings.VQUIT) { return signal(.SIGQUIT, byte) }
      if settings.isCharacter(byte, TerminalSettings.VSUSP) { return nil }
    }
    if settings.isCanonical {
      receiveCanonical(byte)
    } else {
      store(byte)
    }
    return nil
  }

  /// A signal character: input flushed (unless `NOFLSH`), the character echoed.
  private mutating func signal(_ signal: LinuxSignal, _ byte: UInt8) -> LinuxSignal {
    if !settings.local(TerminalSettings.NOFLSH) { flushInput() }
    if settings.local(TerminalSettings.ECHO) { echoCharacter(byte) }
    return signal
  }

  private mutating func receiveCanonical(_ byte: UInt8) {
    let extended = settings.local(TerminalSettings.IEXTEN)
    if settings.isCharacter(byte, TerminalSettings.VERASE) { return erase(.character) }
    if settings.isCharacter(byte, TerminalSettings.VKILL) { return erase(.line) }
    if extended && settings.isCharacter(byte, TerminalSettings.VWERASE) { return erase(.word) }
    if extended && settings.isCharacter(byte, TerminalSettings.VLNEXT) {
      literalNext = true
      if settings.local(TerminalSettings.ECHO) && settings.local(TerminalSettings.ECHOCTL) {
        emit(Self.caret)
        emit(Self.backspace)
      }
      return
    }
    if settings.isCharacter(byte, TerminalSettings.VEOF) { return completeLine() }
    if byte == Self.newline {
      if settings.local(TerminalSettings.ECHO) || settings.local(TerminalSettings.ECHONL) {
        emit(Self.newline)
      }
      return completeLine(with: byte)
    }
    if settings.isCharacter(byte, TerminalSettings.VEOL)
      || settings.isCharacter(byte, TerminalSettings.VEOL2)
    {
      if settings.local(TerminalSettings.ECHO) { echoCharacter(byte) }
      return completeLine(with: byte)
    }
    store(byte)
  }

  /// An ordinary byte: onto the line being edited (canonical) or readable now; echoed.
  private mutating func store(_ byte: UInt8) {
    guard heldBytes < Self.bufferSize else { return }
    if settings.isCanonical {
      guard editing.count < Self.bufferSize - 1 else { return }
      editing.append(byte)
    } else {
      raw.append(byte)
    }
    if settings.local(TerminalSettings.ECHO) { echoCharacter(byte) }
  }

  private mutating func completeLine(with terminator: UInt8? = nil) {
    if let terminator, heldBytes < Self.bufferSize { editing.append(terminator) }
    lines.append(editing)
    editing = []
  }

  // MARK: Erasing

  enum Erasure { case character, word, line }

  /// `VERASE`, `VWERASE`, `VKILL` (Linux's `eraser`).
  private mutating func erase(_ kind: Erasure) {
    guard !editing.isEmpty else { return }
    let echoing = settings.local(TerminalSettings.ECHO)
    let index =
      kind == .line
      ? TerminalSettings.VKILL : kind == .word ? TerminalSettings.VWERASE : TerminalSettings.VERASE
    if kind == .line
      && !(settings.local(TerminalSettings.ECHOK) && settings.local(TerminalSettings.ECHOKE)
        && settings.local(TerminalSettings.ECHOE))
    {
      editing = []
      if echoing {
        echoCharacter(settings.controlCharacters[index])
        if settings.local(TerminalSettings.ECHOK) { emit(Self.newline) }
      }
      return
    }
    // Without ECHOE an erased character is shown as the erase character; a word or a line
    // is still rubbed out (Linux's `eraser`).
    let showsErase = kind == .character && !settings.local(TerminalSettings.ECHOE)
    if echoing && showsErase { echoCharacter(settings.controlCharacters[index]) }
    var seenWordCharacter = false
    while let last = editing.last {
      if kind == .word {
        if isWordCharacter(last) {
          seenWordCharacter = true
        } else if seenWordCharacter {
          break
        }
      }
      removeLastCharacter(visibly: echoing && !showsErase)
      if kind == .character { break }
    }
  }

  /// Linux's `VWERASE` word: letters, digits and underscores.
  private func isWordCharacter(_ byte: UInt8) -> Bool {
    (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
      || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
      || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
  }

  /// Removes the last character (with `IUTF8` a whole UTF-8 sequence); with `visibly`, rubs it
  /// out on the screen: BS SP BS per column (two for a `^X`).
  private mutating func removeLastCharacter(visibly: Bool) {
    var removed = editing.removeLast()
    if settings.input(TerminalSettings.IUTF8) {
      while removed & Self.continuationMask == Self.continuationBits, let lead = editing.last {
        editing.removeLast()
        removed = lead
      }
    }
    guard visibly else { return }
    let columns = isShownAsCaret(removed) ? 2 : 1
    for _ in 0..<columns {
      emit(Self.backspace)
      emit(Self.space)
      emit(Self.backspace)
    }
  }

  // MARK: Echo and output

  private func isShownAsCaret(_ byte: UInt8) -> Bool {
    settings.local(TerminalSettings.ECHOCTL) && (byte < Self.space || byte == Self.delete)
      && byte != Self.tab
  }

  /// Echoes `byte` as Linux's `echo_char`: `^X` for a control character under `ECHOCTL`.
  private mutating func echoCharacter(_ byte: UInt8) {
    if isShownAsCaret(byte) {
      emit(Self.caret)
      emit(byte ^ Self.controlShift)
    } else {
      emit(byte)
    }
  }

  private mutating func emit(_ byte: UInt8) {
    Self.processOutput(byte, settings: settings, into: &echo)
  }

  /// Takes the echo bytes waiting to be sent.
  public mutating func takeEcho() -> [UInt8] {
    let bytes = echo
    echo = []
    return bytes
  }

  /// Output processing of one byte written to the terminal (or echoed): with `OPOST`, `ONLCR`
  /// sends NL as CR NL and `OCRNL` CR as NL; without `OPOST` bytes go as they are.
  public static func processOutput(
    _ byte: UInt8, settings: TerminalSettings, into output: inout [UInt8]
  ) {
    guard settings.output(TerminalSettings.OPOST) else { return output.append(byte) }
    if byte == newline && settings.output(TerminalSettings.ONLCR) {
      output.append(carriageReturn)
      output.append(newline)
    } else if byte == carriageReturn && settings.output(TerminalSettings.OCRNL) {
      output.append(newline)
    } else {
      output.append(byte)
    }
  }
}
