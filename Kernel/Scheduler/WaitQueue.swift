/// Why a wait ended.
enum WakeReason { case woken, timedOut, interrupted }

/// Threads waiting for something (a child to change state, a pipe to have data or room, a
/// vfork child to exec or exit): `wait` blocks the running thread and runs others (or idles
/// the CPU in `hlt`) until `wakeAll`/`wakeOne`, a deadline on the monotonic clock, or an
/// interruption (the process is being killed; later, a signal to a handler).
///
/// Callers re-check their condition in a loop: a wake-up only says "look again" (another
/// thread may have taken what the waker provided). Interrupts stay off in the kernel, so
/// checking the condition and calling `wait` cannot miss a wake-up on one CPU; with a second
/// CPU both happen under the lock of the thing waited for, which `wait` releases once the
/// thread is queued (Linux's `prepare_to_wait` / `schedule` pattern).
///
/// LOCK: the scheduler lock guards `waiters` (wakers run in system calls and in the timer
/// interrupt).
final class WaitQueue {
  /// The blocked threads, in the order they came (`wakeOne` wakes the longest waiting).
  var waiters = ThreadQueue()

  init() {}

  /// Blocks the current thread until `wakeAll`/`wakeOne`, the monotonic deadline (ns;
  /// `UInt64.max` = none), or an interruption (the process is being killed; later, a signal).
  /// Callers re-check their condition in a loop (spurious wake-ups allowed). Interrupts stay
  /// off in the kernel.
  func wait(until deadline: UInt64 = .max) -> WakeReason {
    Scheduler.shared.block(on: self, until: deadline)
  }

  func wakeAll() {
    while let thread = waiters.first { Scheduler.shared.wake(thread, .woken) }
  }

  func wakeOne() {
    guard let thread = waiters.first else { return }
    Scheduler.shared.wake(thread, .woken)
  }

  /// Takes `thread` out (it was woken, timed out or interrupted).
  func remove(_ thread: KernelThread) { waiters.remove(thread) }
}
