/// Every live user thread by its tid, for `tkill`/`tgkill`, `get_robust_list` and
/// `futex`'s owner checks: a sorted array, so a lookup is a binary search (O(log n)).
///
/// Tids come from the process table's one counter (`ProcessTable.allocateID`) and only grow,
/// so a new thread is appended at the end (O(1)); an exiting one is found by binary search and
/// removed (the removal shifts the rest: n is at most `Scheduler.processLimit` stacks' worth).
///
/// LOCK: the scheduler lock (`Scheduler.threads`), like the process table.
struct ThreadTable {
  private var tids: [UInt64] = []
  private var threads: [KernelThread] = []

  /// Adds a new thread; its tid is larger than every tid in the table.
  mutating func add(_ thread: KernelThread) {
    let tid = thread.user.tid
    if let last = tids.last, last >= tid {
      insertInOrder(thread)
      return
    }
    tids.append(tid)
    threads.append(thread)
  }

  /// The rare case of an older tid (a thread table rebuilt out of order): keep it sorted.
  private mutating func insertInOrder(_ thread: KernelThread) {
    let index = position(of: thread.user.tid)
    tids.insert(thread.user.tid, at: index)
    threads.insert(thread, at: index)
  }

  /// Drops the thread with `tid` (it exited).
  mutating func remove(_ tid: UInt64) {
    let index = position(of: tid)
    guard index < tids.count, tids[index] == tid else { return }
    tids.remove(at: index)
    threads.remove(at: index)
  }

  /// The live thread with `tid`.
  func find(_ tid: UInt64) -> KernelThread? {
    let index = position(of: tid)
    return index < tids.count && tids[index] == tid ? threads[index] : nil
  }

  /// The first index whose tid is not below `tid`.
  private func position(of tid: UInt64) -> Int {
    var low = 0
    var high = tids.count
    while low < high {
      let middle = (low + high) / 2
      if tids[middle] < tid { low = middle + 1 } else { high = middle }
    }
    return low
  }

  var count: Int { tids.count }
}
