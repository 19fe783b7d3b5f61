import LinuxABI
import Testing

/// The console's line discipline: canonical editing, echo bytes, signals, raw reads.
@Suite struct TerminalLineDisciplineTests {
  func type(_ text: String, into discipline: inout LineDiscipline) -> [LinuxSignal] {
    var signals: [LinuxSignal] = []
    for byte in text.utf8 {
      if let signal = discipline.receive(byte) { signals.append(signal) }
    }
    return signals
  }

  func echoed(_ discipline: inout LineDiscipline) -> String {
    String(decoding: discipline.takeEcho(), as: UTF8.self)
  }

  func readAll(_ discipline: inout LineDiscipline, _ count: Int = 100) -> String? {
    guard case .data(let bytes) = discipline.read(count) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
  }

  func settings(_ change: (inout TerminalSettings) -> Void) -> TerminalSettings {
    var settings = TerminalSettings.serialConsole
    change(&settings)
    return settings
  }

  @Test func aLineIsReadableOnlyWhenCompleteAndCarriageReturnBecomesNewline() {
    var discipline = LineDiscipline()
    _ = type("echo hi", into: &discipline)
    #expect(discipline.read(100) == .empty)
    #expect(!discipline.isReadable)
    _ = type("\r", into: &discipline)
    #expect(discipline.isReadable)
    #expect(discipline.readableCount == 8)
    #expect(readAll(&discipline) == "echo hi\n")
    #expect(echoed(&discipline) == "echo hi\r\n")
  }

  @Test func eraseRubsOutOneCharacterAndItsEcho() {
    var discipline = LineDiscipline()
    _ = type("lx\u{7f}s\n", into: &discipline)
    #expect(readAll(&discipline) == "ls\n")
    #expect(echoed(&discipline) == "lx\u{8} \u{8}s\r\n")
  }

  @Test func eraseOfACaretCharacterRubsOutTwoColumnsAndEraseOnAnEmptyLineDoesNothing() {
    var discipline = LineDiscipline()
    _ = type("\u{7f}a\u{1}\u{7f}\n", into: &discipline)
    #expect(readAll(&discipline) == "a\n")
    #expect(echoed(&discipline) == "a^A\u{8} \u{8}\u{8} \u{8}\r\n")
  }

  @Test func killErasesTheLineAndWordEraseTheLastWord() {
    var discipline = LineDiscipline()
    _ = type("rm -rf\u{15}cat foo  \u{17}bar.c\u{17}\n", into: &discipline)
    #expect(readAll(&discipline) == "cat bar.\n")
    let rubOut = "\u{8} \u{8}"
    #expect(
      echoed(&discipline)
        == "rm -rf" + String(repeating: rubOut, count: 6) + "cat foo  "
        + String(repeating: rubOut, count: 5) + "bar.c" + rubOut + "\r\n")
  }

  @Test func withoutEchoEraseTheEraseCharacterIsShown() {
    var discipline = LineDiscipline(settings: settings { $0.localFlags &= ~TerminalSettings.ECHOE })
    _ = type("ab\u{7f}\n", into: &discipline)
    #expect(readAll(&discipline) == "a\n")
    #expect(echoed(&discipline) == "ab^?\r\n")
  }

  @Test func endOfFileCompletesALineAndOnAnEmptyLineIsEndOfFile() {
    var discipline = LineDiscipline()
    _ = type("abc\u{4}\u{4}", into: &discipline)
    #expect(readAll(&discipline) == "abc")
    #expect(discipline.read(100) == .endOfFile)
    #expect(discipline.read(100) == .empty)
    #expect(echoed(&discipline) == "abc")
  }

  @Test func aReadTakesAtMostOneLineAndPartsOfIt() {
    var discipline = LineDiscipline()
    _ = type("one\ntwo\n", into: &discipline)
    #expect(readAll(&discipline, 2) == "on")
    #expect(readAll(&discipline) == "e\n")
    #expect(readAll(&discipline) == "two\n")
  }

  @Test func interruptAndQuitRaiseTheirSignalsFlushInputAndEchoCaret() {
    var discipline = LineDiscipline()
    #expect(type("sleep 100\u{3}", into: &discipline) == [.SIGINT])
    #expect(discipline.readableCount == 0)
    _ = type("x\n", into: &discipline)
    #expect(readAll(&discipline) == "x\n")
    #expect(type("\u{1c}", into: &discipline) == [.SIGQUIT])
    #expect(echoed(&discipline) == "sleep 100^Cx\r\n^\\")
    // ^Z: no job control, swallowed without a signal.
    #expect(type("\u{1a}", into: &discipline) == [])
  }

  @Test func withoutIsigTheInterruptCharacterIsData() {
    var discipline = LineDiscipline(
      settings: settings { $0.localFlags &= ~(TerminalSettings.ISIG | TerminalSettings.ICANON) })
    #expect(type("\u{3}", into: &discipline) == [])
    #expect(readAll(&discipline) == "\u{3}")
  }

  @Test func literalNextTakesTheNextCharacterAsIs() {
    var discipline = LineDiscipline()
    _ = type("a\u{16}\u{7f}\n", into: &discipline)
    #expect(readAll(&discipline) == "a\u{7f}\n")
    #expect(echoed(&discipline) == "a^\u{8}^?\r\n")
  }

  @Test func rawModeBytesAreReadableAtOnceWithoutEchoOrTranslation() {
    var raw = TerminalSettings.serialConsole
    raw.localFlags &= ~(TerminalSettings.ICANON | TerminalSettings.ECHO)
    raw.inputFlags &= ~TerminalSettings.ICRNL
    var discipline = LineDiscipline(settings: raw)
    _ = type("q\r\u{7f}", into: &discipline)
    #expect(discipline.isReadable)
    #expect(readAll(&discipline, 2) == "q\r")
    #expect(readAll(&discipline) == "\u{7f}")
    #expect(discipline.read(10) == .empty)
    #expect(echoed(&discipline) == "")
  }

  @Test func nonCanonicalEchoShowsNewlineAsCaretJ() {
    var discipline = LineDiscipline(
      settings: settings { $0.localFlags &= ~TerminalSettings.ICANON })
    _ = type("a\n", into: &discipline)
    #expect(echoed(&discipline) == "a^J")
  }

  @Test func echoNewlineAloneWhenEchoIsOff() {
    var discipline = LineDiscipline(
      settings: settings {
        $0.localFlags = $0.localFlags & ~TerminalSettings.ECHO | TerminalSettings.ECHONL
      })
    _ = type("secret\n", into: &discipline)
    #expect(echoed(&discipline) == "\r\n")
    #expect(readAll(&discipline) == "secret\n")
  }

  @Test func leavingCanonicalModeMakesTheEditedLineReadableAndEnteringItMakesALine() {
    var discipline = LineDiscipline()
    _ = type("ab\ncd", into: &discipline)
    discipline.apply(settings { $0.localFlags &= ~TerminalSettings.ICANON })
    #expect(readAll(&discipline) == "ab\ncd")
    _ = type("ef", into: &discipline)
    discipline.apply(.serialConsole)
    #expect(readAll(&discipline) == "ef")
  }

  @Test func pollNeedsVminBytesWhenVtimeIsZero() {
    var discipline = LineDiscipline(
      settings: settings {
        $0.localFlags &= ~TerminalSettings.ICANON
        $0.controlCharacters[TerminalSettings.VMIN] = 2
      })
    _ = type("a", into: &discipline)
    #expect(!discipline.isReadable)
    _ = type("b", into: &discipline)
    #expect(discipline.isReadable)
  }

  @Test func aFullLineDropsFurtherBytesButTakesItsNewline() {
    var discipline = LineDiscipline(settings: settings { $0.localFlags &= ~TerminalSettings.ECHO })
    _ = type(
      String(repeating: "x", count: LineDiscipline.bufferSize + 10) + "\n", into: &discipline)
    #expect(discipline.readableCount == LineDiscipline.bufferSize)
  }

  @Test func outputProcessingMapsNewlineOnlyWithOpost() {
    var output: [UInt8] = []
    LineDiscipline.processOutput(0x0a, settings: .serialConsole, into: &output)
    var raw = TerminalSettings.serialConsole
    raw.outputFlags &= ~TerminalSettings.OPOST
    LineDiscipline.processOutput(0x0a, settings: raw, into: &output)
    #expect(output == [0x0d, 0x0a, 0x0a])
  }

  @Test func settingsRoundTripThroughTheKernelLayout() {
    let bytes = TerminalSettings.serialConsole.bytes
    #expect(bytes.count == TerminalSettings.size)
    #expect(bytes[0..<4] == [0x00, 0x05, 0x00, 0x00])  // ICRNL | IXON = 0o2400
    #expect(bytes[17] == 0x03 && bytes[19] == 0x7f && bytes[23] == 1)  // VINTR, VERASE, VMIN
    #expect(TerminalSettings(bytes: bytes) == .serialConsole)
    let size = WindowSize(rows: 24, columns: 80)
    #expect(size.bytes == [24, 0, 80, 0, 0, 0, 0, 0])
    #expect(WindowSize(bytes: size.bytes) == size)
  }
}

/// `VMIN` / `VTIME` of non-canonical reads.
@Suite struct TerminalNonCanonicalReadTests {
  func settings(minimum: UInt8, tenths: UInt8) -> TerminalSettings {
    var settings = TerminalSettings.serialConsole
    settings.localFlags &= ~TerminalSettings.ICANON
    settings.controlCharacters[TerminalSettings.VMIN] = minimum
    settings.controlCharacters[TerminalSettings.VTIME] = tenths
    return settings
  }

  let tenth = NonCanonicalRead.nanosecondsPerTenth

  @Test func pollingReadFinishesAtOnce() {
    var read = NonCanonicalRead(settings: settings(minimum: 0, tenths: 0), requested: 10, now: 5)
    #expect(read.next(count: 0, now: 5) == .finish)
  }

  @Test func timedReadWaitsFromTheCallForOneByte() {
    var read = NonCanonicalRead(settings: settings(minimum: 0, tenths: 3), requested: 10, now: 0)
    #expect(read.next(count: 0, now: 0) == .wait(until: 3 * tenth))
    #expect(read.next(count: 0, now: 3 * tenth) == .finish)
    var again = NonCanonicalRead(settings: settings(minimum: 0, tenths: 3), requested: 10, now: 0)
    #expect(again.next(count: 1, now: 1) == .finish)
  }

  @Test func countedReadWaitsForeverForMinimumOrTheCountAsked() {
    var read = NonCanonicalRead(settings: settings(minimum: 4, tenths: 0), requested: 10, now: 0)
    #expect(read.next(count: 3, now: 9) == .wait(until: .max))
    #expect(read.next(count: 4, now: 9) == .finish)
    var small = NonCanonicalRead(settings: settings(minimum: 4, tenths: 0), requested: 2, now: 0)
    #expect(small.next(count: 2, now: 0) == .finish)
  }

  @Test func interByteTimerStartsWithTheFirstByteAndRestartsWithEach() {
    var read = NonCanonicalRead(settings: settings(minimum: 5, tenths: 1), requested: 10, now: 0)
    #expect(read.next(count: 0, now: 100 * tenth) == .wait(until: .max))
    #expect(read.next(count: 1, now: 100 * tenth) == .wait(until: 101 * tenth))
    #expect(read.next(count: 2, now: 100 * tenth + 7) == .wait(until: 101 * tenth + 7))
    #expect(read.next(count: 2, now: 101 * tenth + 7) == .finish)
  }
}
