/// Everything one CPU's event timer must wake up for: threads blocked with a deadline
/// (`threads`) and the processes' real-time interval timers (`alarms`: `alarm`,
/// `setitimer(ITIMER_REAL)`, which send SIGALRM). The timer is programmed for the earlier of
/// the two queues' first deadlines.
///
/// LOCK: `TimerQueue.lock`, as each queue (one CPU with interrupts masked in the kernel today).
struct TimedEvents {
  var threads = TimerQueue<KernelThread>()
  var alarms = TimerQueue<UserProcess>()

  /// Nothing timed is pending: no thread waits with a deadline and no interval timer is
  /// armed (so nothing but another process can wake a blocked one).
  var isEmpty: Bool { threads.isEmpty && alarms.isEmpty }

  /// The earliest deadline of either queue.
  var earliestDeadline: UInt64? {
    switch (threads.earliestDeadline, alarms.earliestDeadline) {
    case (let thread?, let alarm?): return min(thread, alarm)
    case (let thread?, nil): return thread
    case (nil, let alarm): return alarm
    }
  }
}
