/// Advisory record locks (`fcntl` F_GETLK/F_SETLK/F_SETLKW and the OFD variants) and
/// `flock`: accepted and never enforced. Programs of one launch that lock against each other
/// would not be kept apart — a known difference (PROCESSES.md); single programs that lock
/// their own files (databases, package tools) work.
enum FileLocks {
  /// `struct flock { short l_type; short l_whence; off_t l_start; off_t l_len; pid_t l_pid; }`:
  /// `l_type` is the first 16 bits; `F_UNLCK` is 2.
  static let unlocked: UInt64 = 2
  static let typeMask: UInt64 = 0xffff
  /// The lock types (`F_RDLCK`, `F_WRLCK`, `F_UNLCK`).
  static let largestType: UInt64 = 2

  static func answer(_ call: SystemCallArguments, file: OpenFile) throws(LinuxErrno) -> UInt64 {
    let word = try UserMemory.readWord(at: call.a2)
    guard word & typeMask <= largestType else { throw .EINVAL }
    if call.a1 == FileCalls.getLock || call.a1 == FileCalls.openFileDescriptionGetLock {
      try UserMemory.copyOut(
        [UInt8(truncatingIfNeeded: unlocked), 0], to: call.a2)
    }
    return 0
  }

  /// `flock(fd, operation)`: granted (EBADF without a descriptor).
  static func flock(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    _ = try FileCalls.descriptors.file(call.a0)
    return 0
  }
}
