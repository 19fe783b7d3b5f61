/// What /proc tells about the program a process runs that its memory no longer says plainly:
/// the file it was loaded from (`exe`, the path column of its segments' maps lines) and its
/// argument and environment strings as execve received them (`cmdline`, `environ`). Set by
/// the loader for each program (a launch's and every execve's), copied by fork.
///
/// Linux reads `cmdline` from the process's memory (a program that rewrites its argv changes
/// it); this is the copy taken at exec, so such rewrites do not show.
struct ProgramRecord {
  var file: FileContents? = nil
  /// Each argument with its NUL, back to back (what `/proc/PID/cmdline` holds).
  var commandLine: [UInt8] = []
  var environment: [UInt8] = []
  /// The program's file held as running (ETXTBSY for writers) while the image lives; nil for
  /// a launch's first program, which run-elf's record names but no `execve` opened.
  var runningImage: RunningImage? = nil

  init() {}

  init(file: FileContents, arguments: [[UInt8]], environment: [[UInt8]]) {
    self.file = file
    commandLine = arguments.flatMap { $0 + [0] }
    self.environment = environment.flatMap { $0 + [0] }
  }
}
