/// Threads in arrival order, linked through the threads themselves (`KernelThread.queueLinks`):
/// appending, taking the first and taking out any one are O(1) and allocate nothing. The run
/// queue and every `WaitQueue` are one each; blocking and waking — the path of every pipe
/// round trip and futex hand-off — used to grow and shrink arrays on the kernel heap.
///
/// A thread is in at most one queue at a time (runnable: the run queue; blocked: its one wait
/// queue; running or dead: none), so one pair of links per thread serves them all. The queue
/// holds a strong reference to each thread in it (through `first` and the `next` links); the
/// `previous` links and `last` are unowned, as the strong chain keeps those threads alive.
///
/// LOCK: the scheduler lock, as the structure it is part of (the run queue, a wait queue).
struct ThreadQueue {
  private(set) var first: KernelThread? = nil
  private unowned(unsafe) var last: KernelThread? = nil

  init() {}

  var isEmpty: Bool { first == nil }

  /// Adds `thread`, which is in no queue, at the end.
  mutating func append(_ thread: KernelThread) {
    precondition(!thread.queueLinks.isQueued, "a thread is in two queues")
    thread.queueLinks.isQueued = true
    thread.queueLinks.previous = last
    if let last { last.queueLinks.next = thread } else { first = thread }
    last = thread
  }

  /// Takes out the thread that came first, if any.
  mutating func removeFirst() -> KernelThread? {
    guard let thread = first else { return nil }
    remove(thread)
    return thread
  }

  /// Takes `thread`, which is in this queue, out.
  mutating func remove(_ thread: KernelThread) {
    precondition(thread.queueLinks.isQueued, "a thread taken out of a queue it is not in")
    let next = thread.queueLinks.next
    let previous = thread.queueLinks.previous
    if let next { next.queueLinks.previous = previous } else { last = previous }
    if let previous { previous.queueLinks.next = next } else { first = next }
    thread.queueLinks = ThreadQueue.Links()
  }

  /// A thread's place in the queue it is in.
  struct Links {
    var next: KernelThread? = nil
    unowned(unsafe) var previous: KernelThread? = nil
    var isQueued = false
  }
}
