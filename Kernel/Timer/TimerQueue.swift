/// One CPU's timed events of one kind, earliest deadline first: which blocked threads wait
/// until which monotonic time (`TimerQueue<KernelThread>`), or which processes' real-time
/// interval timers expire when (`TimerQueue<UserProcess>`, `RealTimers`).
///
/// A thread blocked with a deadline (`WaitQueue.wait(until:)`: nanosleep, poll and select
/// timeouts) is enqueued here beside its wait queue; the timer interrupt takes out every
/// waiter whose deadline has passed (`removeExpired`) and the scheduler makes it runnable
/// with `.timedOut`; a waiter woken earlier is taken out by the scheduler (`remove`). The
/// timer is always programmed for the earliest deadline left (`earliestDeadline`).
///
/// Kept sorted by deadline in an array: inserting and removing are O(n) in the waiters of one
/// CPU (at most the process limit), the earliest is O(1). A min-heap with back-pointers would
/// make removal O(log n) when that matters.
///
/// LOCK: both the timer interrupt and the waiting code change the queue; one CPU with the
/// kernel running with interrupts masked keeps them apart. With a second CPU (a wake-up from
/// another CPU's system call) it needs its lock, `TimerQueue.lock`: a spinlock taken with
/// interrupts masked (Linux's `raw_spin_lock_irqsave` on `hrtimer_cpu_base.lock`).
struct TimerQueue<Item: AnyObject> {
  /// A queued event: its deadline (monotonic nanoseconds) and what it is for.
  struct Waiter {
    let deadline: UInt64
    let item: Item
  }

  /// Sorted by deadline (ties: the earlier-enqueued first).
  private(set) var waiters: [Waiter] = []

  /// Nothing is waiting.
  var isEmpty: Bool { waiters.isEmpty }

  /// The deadline the timer must be programmed for, if anyone waits.
  var earliestDeadline: UInt64? { waiters.first?.deadline }

  /// Adds `item`, due at `deadline`.
  mutating func enqueue(_ item: Item, until deadline: UInt64) {
    let index = waiters.firstIndex(where: { $0.deadline > deadline }) ?? waiters.count
    waiters.insert(Waiter(deadline: deadline, item: item), at: index)
  }

  /// Takes out every waiter whose deadline is at or before `now`, earliest first.
  mutating func removeExpired(at now: UInt64) -> [Item] {
    let count = waiters.firstIndex(where: { $0.deadline > now }) ?? waiters.count
    guard count > 0 else { return [] }
    let expired = waiters[0..<count].map { $0.item }
    waiters.removeFirst(count)
    return expired
  }

  /// Takes `item` out (a waiter woken before its deadline, a timer disarmed).
  mutating func remove(_ item: Item) {
    if let index = waiters.firstIndex(where: { $0.item === item }) {
      waiters.remove(at: index)
    }
  }
}
