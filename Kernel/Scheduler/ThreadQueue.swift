/// Threads in arrival order, linked through the threads themselves (`KernelThread.queueLinks`):
/// appending, taking the first and taking out any one are O(1) and allocate nothing. The run
/// queue and every `WaitQueue` are one each; blocking and waking — the path of every pipe
/// round trip and futex hand-off — used to grow and shrink arrays on the kernel heap.
///
/// A thread is in at most one queue at a time (runnable: the run queue; blocked: its one wait
/// queue; running or dead: none), so one pair of links per thread serves them all. The queue
/// owns one reference to each thread in it, taken by `append` and given back by `remove`; the
/// links themselves are unmanaged, so walking and relinking them costs no reference counting
/// (strong links were six releases per removal). Non-copyable: a copy would own nothing.
///
/// LOCK: the scheduler lock, as the structure it is part of (the run queue, a wait queue).
struct ThreadQueue: ~Copyable {
  private var head: Unmanaged<KernelThread>? = nil
  private var tail: Unmanaged<KernelThread>? = nil

  init() {}

  var isEmpty: Bool { head == nil }

  /// The thread that came first, if any (it stays in the queue).
  var first: KernelThread? { head?.takeUnretainedValue() }

  /// Adds `thread`, which is in no queue, at the end.
  mutating func append(_ thread: KernelThread) {
    precondition(!thread.queueLinks.isQueued, "a thread is in two queues")
    let node = Unmanaged.passRetained(thread)  // the queue's reference
    thread.queueLinks = Links(next: nil, previous: tail, isQueued: true)
    if let tail {
      tail._withUnsafeGuaranteedRef { $0.queueLinks.next = node }
    } else {
      head = node
    }
    tail = node
  }

  /// Takes out the thread that came first, if any.
  mutating func removeFirst() -> KernelThread? {
    guard let node = head else { return nil }
    let thread = node.takeUnretainedValue()
    remove(thread)
    return thread
  }

  /// Takes `thread`, which is in this queue, out (and gives back the queue's reference).
  mutating func remove(_ thread: KernelThread) {
    let links = thread.queueLinks
    precondition(links.isQueued, "a thread taken out of a queue it is not in")
    if let next = links.next {
      next._withUnsafeGuaranteedRef { $0.queueLinks.previous = links.previous }
    } else {
      tail = links.previous
    }
    if let previous = links.previous {
      previous._withUnsafeGuaranteedRef { $0.queueLinks.next = links.next }
    } else {
      head = links.next
    }
    thread.queueLinks = Links()
    Unmanaged.passUnretained(thread).release()
  }

  /// A thread's place in the queue it is in.
  struct Links {
    var next: Unmanaged<KernelThread>? = nil
    var previous: Unmanaged<KernelThread>? = nil
    var isQueued = false
  }
}
