/// One CPU's timed waits: who is blocked until which monotonic time, earliest deadline first.
///
/// The shape a scheduler's sleep queue needs: a waiter enqueues its deadline and blocks; the
/// timer interrupt wakes every waiter whose deadline has passed (`wakeExpired`) and programs the
/// timer for the earliest one left; the waiter, running again, sees `isWoken` and leaves. Today
/// the only thread is the running process, so the queue holds at most one waiter; with threads
/// a waiter becomes (thread, deadline) in a min-heap by deadline, and waking moves the thread
/// to the run queue instead of setting a flag.
///
/// Locking: both the timer interrupt and the waiting code change the queue. On one CPU with
/// the kernel running with interrupts masked they cannot overlap — the interrupt is taken only
/// inside the waiter's `sti; hlt`, when the waiter holds no access to the queue. With a second
/// CPU, or a kernel that takes interrupts elsewhere, the queue needs its lock, `TimerQueue.lock`:
/// a spinlock taken with interrupts masked (Linux's `raw_spin_lock_irqsave` on
/// `hrtimer_cpu_base.lock`), since the interrupt handler takes it too.
struct TimerQueue {
  /// A blocked waiter: its deadline (monotonic nanoseconds) and whether it was woken.
  struct Waiter {
    let deadline: UInt64
    var woken = false
  }

  /// The one waiter there can be today.
  private(set) var waiter: Waiter? = nil

  /// Nothing is waiting.
  var isEmpty: Bool { waiter == nil }

  /// The deadline the timer must be programmed for, if anyone waits.
  var earliestDeadline: UInt64? { waiter.flatMap { $0.woken ? nil : $0.deadline } }

  /// Whether the waiter's deadline has been reached and the interrupt said so.
  var isWoken: Bool { waiter?.woken ?? false }

  /// Adds a waiter until `deadline`. The queue must be empty: one thread exists.
  mutating func enqueue(until deadline: UInt64) {
    precondition(waiter == nil, "a second timed waiter, but one thread exists")
    waiter = Waiter(deadline: deadline)
  }

  /// Marks every waiter whose deadline is at or before `now` woken; returns how many.
  mutating func wakeExpired(at now: UInt64) -> UInt64 {
    guard var waiting = waiter, !waiting.woken, waiting.deadline <= now else { return 0 }
    waiting.woken = true
    waiter = waiting
    return 1
  }

  /// Removes the waiter (woken or not).
  mutating func remove() {
    waiter = nil
  }
}
