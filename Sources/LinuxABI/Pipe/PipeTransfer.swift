/// What one attempt to move bytes through a pipe did. The system-call layer turns it into
/// Linux's answer: a count, or — when nothing moved — EAGAIN / a wait (`mustWait`), EPIPE with
/// SIGPIPE (`noReaders`), EFAULT (`faulted`), ENOMEM (`outOfMemory`).
public enum PipeTransfer: Equatable, Sendable {
  /// This many bytes moved (more than zero), or 0 for a read at end of file (no writer left).
  case transferred(Int)
  /// Nothing could move now: the pipe is empty (read) or has no room (write) and the other
  /// side is still open. A blocking caller waits and tries again; a non-blocking one answers
  /// EAGAIN.
  case mustWait
  /// A write with no reader left: EPIPE, and the writer gets SIGPIPE.
  case noReaders
  /// The user buffer faulted before any byte moved.
  case faulted
  /// No page could be had for the first byte of a write.
  case outOfMemory
}
