/// `pipe(fds)` and `pipe2(fds, flags)` (fs/pipe.c `do_pipe2`): flags other than `O_CLOEXEC`
/// and `O_NONBLOCK` are EINVAL (Linux also takes `O_DIRECT`, packet mode, and
/// `O_NOTIFICATION_PIPE`; neither exists here); two descriptors are taken (EMFILE when
/// there are not two below `RLIMIT_NOFILE`), the pipe made, and `int fds[2]` written (EFAULT
/// closes both again).
enum PipeCalls {
  static let allowedFlags = OpenFlags.closeOnExec | OpenFlags.nonBlocking

  static func pipe(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try pipe2(fds: call.a0, flags: 0)
  }

  static func pipe2(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    try pipe2(fds: call.a0, flags: call.a1)
  }

  static func pipe2(fds: UInt64, flags fullFlags: UInt64) throws(LinuxErrno) -> UInt64 {
    let flags = UInt64(UInt32(truncatingIfNeeded: fullFlags))  // an int
    guard flags & ~allowedFlags == 0 else { throw .EINVAL }
    let closeOnExec = flags & OpenFlags.closeOnExec != 0
    let nonBlocking = flags & OpenFlags.nonBlocking != 0
    let pipe = Pipe()
    let reader = PipeEnd(pipe: pipe, isReadEnd: true, nonBlocking: nonBlocking)
    let writer = PipeEnd(pipe: pipe, isReadEnd: false, nonBlocking: nonBlocking)
    let limit = FileCalls.descriptorLimit
    let readDescriptor = try FileCalls.descriptors.install(
      .pipe(reader), limit: limit, closeOnExec: closeOnExec)
    let writeDescriptor: UInt64
    do throws(LinuxErrno) {
      writeDescriptor = try FileCalls.descriptors.install(
        .pipe(writer), limit: limit, closeOnExec: closeOnExec)
    } catch {
      try? FileCalls.descriptors.close(readDescriptor)
      throw error
    }
    let image = LinuxStructures.littleEndian(readDescriptor | writeDescriptor << 32)
    do throws(LinuxErrno) { try UserMemory.copyOut(image, to: fds) } catch {
      try? FileCalls.descriptors.close(readDescriptor)
      try? FileCalls.descriptors.close(writeDescriptor)
      throw error
    }
    return 0
  }
}
