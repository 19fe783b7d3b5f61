/// `read`/`readv` and `write`/`writev` on a pipe end, as Linux's `pipe_read` / `pipe_write`:
///
/// - a read returns what is there (up to the request) at once; an empty pipe is end of file
///   (0) when no writer is left, EAGAIN with O_NONBLOCK, else the reader waits;
/// - a write with no reader left is EPIPE and SIGPIPE (whose default action ends the
///   process; ignored or blocked, the caller just sees EPIPE); else it writes what fits (a
///   PIPE_BUF-sized write all or nothing), and then with O_NONBLOCK returns the count so far
///   (EAGAIN if nothing), or waits for room and goes on until everything is written;
/// - a wait interrupted (the process is being killed) ends the call with the count so far,
///   or EINTR.
///
/// Every transfer wakes the other side and the pollers of the pipe.
enum PipeIO {
  static func read(_ end: PipeEnd, into buffer: UserVectors) throws(LinuxErrno) -> UInt64 {
    guard end.isReadEnd else { throw .EBADF }
    let count = Int(min(buffer.total, UserPointer.maximumTransfer))
    guard count > 0 else { return 0 }
    let pipe = end.pipe
    while true {
      let result = pipe.buffer.read(count: count) { source, offset, length in
        buffer.copyOut(source, at: offset, count: length)
      }
      switch result {
      case .transferred(let bytes):
        if bytes > 0 { pipe.wakeWriters() }
        return UInt64(bytes)
      case .mustWait:
        guard !end.nonBlocking else { throw .EAGAIN }
        if pipe.readable.wait() == .interrupted { throw .EINTR }
      case .faulted: throw .EFAULT
      case .noReaders, .outOfMemory: preconditionFailure("a pipe read answered EPIPE or ENOMEM")
      }
    }
  }

  static func write(_ end: PipeEnd, from buffer: UserVectors) throws(LinuxErrno) -> UInt64 {
    guard !end.isReadEnd else { throw .EBADF }
    let count = Int(min(buffer.total, UserPointer.maximumTransfer))
    guard count > 0 else { return 0 }
    let pipe = end.pipe
    var done = 0
    while true {
      let start = done
      let result = pipe.buffer.write(count: count - done, merging: done == 0) {
        destination, offset, length in
        buffer.copyIn(at: start + offset, count: length, to: destination)
      }
      switch result {
      case .transferred(let bytes):
        done += bytes
        pipe.wakeReaders()
        if done == count { return UInt64(done) }
        continue  // room may be left (a merge filled a page): try again before waiting
      case .mustWait:
        if end.nonBlocking {
          guard done > 0 else { throw .EAGAIN }
          return UInt64(done)
        }
        if pipe.writable.wait() == .interrupted {
          guard done > 0 else { throw .EINTR }
          return UInt64(done)
        }
      case .noReaders:
        brokenPipe()
        guard done > 0 else { throw .EPIPE }
        return UInt64(done)
      case .faulted:
        guard done > 0 else { throw .EFAULT }
        return UInt64(done)
      case .outOfMemory:
        guard done > 0 else { throw .ENOMEM }
        return UInt64(done)
      }
    }
  }

  /// SIGPIPE to the writer (`send_sig(SIGPIPE, current, 0)`): its default action ends the
  /// process now; ignored, blocked or caught, the write goes on to answer EPIPE.
  static func brokenPipe() {
    let process = ProcessRunner.current!
    SignalCalls.carryOut(
      process.signals.send(.SIGPIPE, to: &Processor.current.thread.signals), sentByItself: true)
  }
}
