/// Where the console's file calls meet the terminal: each answers as before when the kernel
/// has no terminal (`ConsoleTerminal.active` nil), so the console's behaviour for every
/// non-terminal run stays byte for byte what it was.
extension ConsoleTerminal {
  /// `O_RDWR`: what `F_GETFL` reports for the terminal (a getty opens it read-write).
  static let statusFlags = OpenFlags.readWrite

  /// The terminal behind `file`: the console (and `/dev/console`, `/dev/tty`) when there is one.
  static func of(_ file: OpenFile) -> ConsoleTerminal? {
    guard let terminal = active else { return nil }
    if file == .console { return terminal }
    if case .node(let open) = file, open.device == .console || open.device == .tty {
      return terminal
    }
    return nil
  }

  /// Whether input may still come to wake a blocked thread (the scheduler then reports no
  /// deadlock when every process waits: one may wait for the keyboard).
  static var mayWake: Bool { active?.receiving ?? false }

  /// A read of the console: the terminal's input, else end of file.
  static func read(to buffer: UInt64, count: UInt64) throws(LinuxErrno) -> UInt64 {
    guard let terminal = active else { return 0 }
    return try terminal.read(to: buffer, count: count)
  }

  /// Program output to the console: through the terminal's output processing, else as it is.
  static func writeOutput(_ bytes: UnsafeRawBufferPointer) {
    guard let terminal = active else { return ProcessConsole.writeProgramOutput(bytes) }
    terminal.write(bytes)
  }

  /// A launch's first descriptors: on a terminal, 0, 1 and 2 are all the terminal (and the
  /// process leads its session and foreground group); else stdin is the launch record's bytes.
  static func descriptors(for process: UserProcess, input: UnsafeRawBufferPointer)
    -> DescriptorTable
  {
    guard let terminal = active else { return DescriptorTable(input: InputStream(input)) }
    terminal.attach(process)
    var table = DescriptorTable()
    _ = try? table.duplicate(1, to: 0, limit: UInt64(DescriptorTable.initialCapacity))
    return table
  }
}
