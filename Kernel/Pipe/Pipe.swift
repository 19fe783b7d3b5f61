/// One pipe in the kernel: the core's `PipeBuffer` over frames of the machine
/// (`KernelPipePages`), and who waits on it. Created by `pipe`/`pipe2` with one read end and one
/// write end (`PipeEnd`); it lives as long as an end does and gives back its pages when both
/// sides are closed (the buffer does that itself when its counts reach zero).
///
/// Waiting (no spinning): a reader of an empty pipe waits on `readable`, a writer of a full
/// one on `writable`; `poll`/`select` callers register a queue of their own in `pollers` for
/// the length of their wait (Linux's poll table entries). Every change wakes whoever it may
/// concern: bytes written wake readers and pollers, bytes read wake writers and pollers, a
/// closed end wakes everyone (end of file, EPIPE, POLLHUP, POLLERR).
///
/// LOCK: with a second CPU, the pipe's own lock guards `buffer` and `pollers` (Linux's
/// `pipe->mutex`), taken by readers, writers, closers and pollers alike.
final class Pipe {
  /// Unchecked exclusivity (as `PhysicalMemoryContext`'s fields): interrupts are off in the
  /// kernel, so no two accesses overlap, and a class's field otherwise pays a runtime check on
  /// every read and write of the pipe.
  @exclusivity(unchecked) var buffer = PipeBuffer(pages: KernelPipePages())
  let readable = WaitQueue()
  let writable = WaitQueue()
  var pollers: [WaitQueue] = []

  /// A write end goes away: readers see end of file once the pipe is empty.
  func closeWriter() {
    buffer.closeWriter()
    wakeReaders()
  }

  /// A read end goes away: writers get EPIPE.
  func closeReader() {
    buffer.closeReader()
    wakeWriters()
  }

  func wakeReaders() {
    readable.wakeAll()
    wakePollers()
  }

  func wakeWriters() {
    writable.wakeAll()
    wakePollers()
  }

  func wakePollers() {
    for poller in pollers { poller.wakeAll() }
  }

  /// `poll`/`select` waits on `queue` too until `stopWatching`.
  func watch(with queue: WaitQueue) { pollers.append(queue) }

  func stopWatching(with queue: WaitQueue) {
    if let index = pollers.firstIndex(where: { $0 === queue }) { pollers.remove(at: index) }
  }
}

/// One open end of a pipe — Linux's `struct file` for it: `dup`, `dup2`, `fcntl(F_DUPFD)` and
/// fork share it (and its O_NONBLOCK), so the pipe's reader and writer counts are counts of
/// these objects. When the last descriptor naming it goes away (close, dup2 over it,
/// close-on-exec, the process's exit), Swift releases it and its side of the pipe closes.
final class PipeEnd {
  let pipe: Pipe
  /// The read end (else the write end).
  let isReadEnd: Bool
  /// `O_NONBLOCK` (`pipe2`, `fcntl(F_SETFL)`): EAGAIN instead of waiting.
  var nonBlocking: Bool

  init(pipe: Pipe, isReadEnd: Bool, nonBlocking: Bool) {
    self.pipe = pipe
    self.isReadEnd = isReadEnd
    self.nonBlocking = nonBlocking
  }

  deinit {
    if isReadEnd { pipe.closeReader() } else { pipe.closeWriter() }
  }

  /// What `F_GETFL` reports: the access mode and `O_NONBLOCK` (no `O_LARGEFILE`: Linux sets it
  /// only in `open`).
  var statusFlags: UInt64 {
    (isReadEnd ? OpenFlags.readOnly : OpenFlags.writeOnly)
      | (nonBlocking ? OpenFlags.nonBlocking : 0)
  }
}
