extension SystemCallNumber {
  // `fadvise64` (coreutils' sort and cat ask for sequential reads). In a file of its own so
  // that branches adding calls at once do not edit the same lines.
  public static let fadvise64: UInt64 = 221
}

/// `posix_fadvise` advice values (linux/fadvise.h, x86-64: `POSIX_FADV_DONTNEED` 4 and
/// `POSIX_FADV_NOREUSE` 5).
public enum FileAdvice {
  public static let normal: UInt64 = 0
  public static let noReuse: UInt64 = 5

  /// Whether `advice` is one Linux 6.1's `generic_fadvise` knows (0 through 5).
  public static func isKnown(_ advice: UInt64) -> Bool { advice <= noReuse }
}
