/// The serial console shared by programs and the kernel, kept unmixed: program bytes go out
/// unchanged, and a kernel line about a process is only ever printed as a whole line.
///
/// Kernel lines start with `[kernel] `. When a program's output stopped mid-line, the kernel
/// must start a new line first; it then marks its line `[kernel]+ ` so that a reader (tools/
/// run-elf) knows the line feed before it was the kernel's, not the program's.
enum ProcessConsole {
  /// The prefix of every kernel line printed while programs run.
  static let prefix = "[kernel] "
  /// The prefix when the kernel had to end the program's partial line.
  static let continuationPrefix = "[kernel]+ "
  nonisolated(unsafe) static var atLineStart = true

  /// Sends a program's bytes as they are (no LF → CR LF expansion).
  static func writeProgramOutput(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    for byte in bytes { Console.port.send(byte) }
    atLineStart = bytes[bytes.count - 1] == Console.lineFeed
  }

  /// Prints one kernel line, on a line of its own.
  static func line(_ text: String) {
    if atLineStart {
      print(prefix + text)
    } else {
      print("")
      print(continuationPrefix + text)
    }
    atLineStart = true
  }
}
