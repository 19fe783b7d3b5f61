/// How much argv and envp `execve` accepts, as Linux 6.1 counts it (fs/exec.c
/// `bprm_stack_limits`, `copy_strings`):
///
/// - each string, its NUL included, is at most `maximumStringLength` (`MAX_ARG_STRLEN`,
///   32 pages = 128 KiB);
/// - all strings (the file name, envp and argv, each with its NUL) plus one pointer per
///   string of argv (at least one) and envp fit in a quarter of the soft stack limit — but
///   never less than `ARG_MAX` (128 KiB) nor more than three quarters of `_STK_LIM` (6 MiB).
///
/// Beyond either: E2BIG, before anything of the process changes.
public enum ArgumentLimits {
  /// `MAX_ARG_STRLEN`.
  public static let maximumStringLength = 32 * 4096
  /// `ARG_MAX` (the floor of the total).
  public static let argumentMaximum: UInt64 = 32 * 4096
  /// `_STK_LIM`: the default stack limit, 8 MiB.
  public static let defaultStackLimit: UInt64 = 8 << 20
  /// `MAX_ARG_STRINGS`: the most strings argv or envp may hold.
  public static let maximumStrings = 0x7fff_ffff
  /// `sizeof(void *)`.
  static let pointerSize: UInt64 = 8

  /// The bytes strings and pointers may take with soft `RLIMIT_STACK` `stackLimit`.
  public static func total(stackLimit: UInt64) -> UInt64 {
    max(min(defaultStackLimit / 4 * 3, stackLimit / 4), argumentMaximum)
  }

  /// Whether strings of these lengths (NULs not counted) fit: `fileName` is the path given
  /// to execve.
  public static func fit(
    fileName: Int, arguments: [Int], environment: [Int], stackLimit: UInt64
  ) -> Bool {
    let pointers = UInt64(max(arguments.count, 1) + environment.count) * pointerSize
    let limit = total(stackLimit: stackLimit)
    guard limit > pointers else { return false }
    var bytes = UInt64(fileName + 1)
    for length in arguments + environment {
      guard length + 1 <= maximumStringLength else { return false }
      bytes += UInt64(length + 1)
    }
    return bytes <= limit - pointers
  }
}
