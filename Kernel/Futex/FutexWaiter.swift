import KernelSupport

/// One thread's wait on a futex: the record the futex table queues (`FutexTable<FutexWaiter>`).
/// It has a wait queue of its own, with only its thread in it: a wake or a requeue moves or
/// takes the record in the table, and `woken` — set before the queue is woken — tells the
/// thread that its wait ended by a wake, not by its deadline or a kill.
final class FutexWaiter {
  let thread: KernelThread
  /// The futex it waits on now (a requeue changes it).
  var key: FutexKey
  let queue = WaitQueue()
  var woken = false

  init(thread: KernelThread, key: FutexKey) {
    self.thread = thread
    self.key = key
  }

  /// Ends the wait as woken.
  func wake() {
    woken = true
    queue.wakeAll()
  }
}
