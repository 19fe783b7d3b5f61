/// `fadvise64(fd, offset, len, advice)`: advice about a file's future reads, which a file
/// system in RAM has no use for — answered as Linux 6.1's `ksys_fadvise64_64` and
/// `generic_fadvise` answer: EBADF for a descriptor that is not open, ESPIPE for a pipe,
/// EINVAL for a negative length or unknown advice, else 0 (nothing to read ahead or drop:
/// every page of the file is in memory already).
enum FileAdviceCall {
  static func fadvise64(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let file = try FileCalls.descriptors.file(call.a0)
    // Standard input is a pipe on Linux too (run-linux feeds it through one).
    if case .pipe = file { throw .ESPIPE }
    if case .input = file { throw .ESPIPE }
    guard Int64(bitPattern: call.a2) >= 0, FileAdvice.isKnown(call.a3) else { throw .EINVAL }
    return 0
  }
}
