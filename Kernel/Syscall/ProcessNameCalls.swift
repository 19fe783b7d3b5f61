/// `prctl(PR_SET_NAME, name)` and `prctl(PR_GET_NAME, buffer)`: the calling thread's `comm`,
/// the name `/proc/PID/comm`, `/proc/PID/stat` and `status` report (kernel/sys.c). Busybox's
/// shell sets it when it runs a "no-exec" applet (`ps`, `cat`, …) in a forked child without
/// an `execve`, so the child shows as `{ps} /bin/sh …` in `ps`, not as another shell.
///
/// Any other `prctl` option is still an unsupported call (ENOSYS, logged once), as before.
enum ProcessNameCalls {
  /// `PR_SET_NAME`, `PR_GET_NAME` (linux/prctl.h).
  static let setName: UInt64 = 15
  static let getName: UInt64 = 16
  /// `TASK_COMM_LEN`: the name's buffer, its NUL included.
  static let taskCommLength = 16

  static func prctl(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let thread = Processor.current.thread
    switch call.a0 {
    case setName:
      thread.user.commandName = try copyName(from: call.a1)
      return 0
    case getName:
      let process = ProcessRunner.current!
      var name = ProcessReports.commandName(of: process, thread: thread)
      name += [UInt8](repeating: 0, count: taskCommLength - name.count)
      try UserMemory.copyOut(name, to: call.a1)
      return 0
    default: return try SystemCalls.unsupported(call)
    }
  }

  /// `strncpy_from_user` of at most `TASK_COMM_LEN - 1` bytes: up to the first NUL; EFAULT
  /// when a byte before it cannot be read. Reads page by page, so a short name that ends just
  /// before an unmapped page is fine.
  static func copyName(from address: UInt64) throws(LinuxErrno) -> [UInt8] {
    let limit = taskCommLength - 1
    let page = PageSize.size4KiB.bytes
    var name: [UInt8] = []
    while name.count < limit {
      let cursor = address &+ UInt64(name.count)
      let chunk = Int(min(page - cursor % page, UInt64(limit - name.count)))
      let bytes = try UserMemory.copyIn(from: cursor, count: chunk)
      if let end = bytes.firstIndex(of: 0) { return name + bytes[0..<end] }
      name += bytes
    }
    return name
  }
}
