import KernelSupport

/// A thread's futex wait: the thread itself is what the futex table queues
/// (`FutexTable<KernelThread>`), and this — `KernelThread.futex` — is the rest of the record.
/// It has a wait queue of its own, with only its thread in it while it waits: a wake or a
/// requeue takes or moves the thread in the table, and `woken` — set before the queue is woken
/// — tells the thread that its wait ended by a wake, not by its deadline or a kill.
///
/// One per thread, made with it (a thread waits on one futex at a time): a wait allocates
/// nothing (a record and a queue per wait were a third of a futex hand-off's instructions).
///
/// LOCK: the futex table lock, as the table that refers to the thread.
struct FutexWaitState {
  /// The futex it waits on now (a requeue changes it); meaningful only while it waits.
  var key = FutexKey(kind: .private, domain: 0, offset: 0)
  let queue = WaitQueue()
  var woken = false
}

extension KernelThread {
  /// Ends its futex wait as woken (it was taken out of the table).
  func wakeFromFutex() {
    futex.woken = true
    futex.queue.wakeAll()
  }
}
