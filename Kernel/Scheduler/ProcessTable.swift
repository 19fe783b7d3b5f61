/// Every process the kernel knows, live or zombie, by pid: what `kill`, `wait4`, `setpgid`
/// and `fork` look up. At most `Scheduler.processLimit` entries (fork answers EAGAIN beyond).
///
/// Pids count the processes of one boot, from 1, never reused (a boot runs far fewer than
/// 2^63). `allocateID` is the one place ids come from (thread ids will come from the same
/// counter, as on Linux where a process's id is its first thread's).
///
/// `processes` is kept sorted by id, so `find` is a binary search, O(log n): ids only grow, so
/// an `add` in allocation order appends, and `add` inserts at the right place otherwise. Adding
/// and removing shift the array (a memmove of at most `processLimit` references), once per
/// fork and reap; a lookup happens at every `kill`, `wait4` of a pid, `setpgid`.
///
/// LOCK: the scheduler lock (`Scheduler.table`).
struct ProcessTable {
  /// Sorted by `id`, ascending.
  private(set) var processes: [UserProcess] = []
  /// The next pid.
  private(set) var nextID: UInt64 = 1
  /// Processes added and not ended yet (kept, so the idle loop's question is O(1)).
  private(set) var liveCount = 0
  /// The most processes alive at once since `resetPeak` (the launch's summary line).
  private(set) var mostAlive = 0

  var isFull: Bool { processes.count >= Scheduler.processLimit }

  /// Whether any process has not ended yet.
  var hasLiveProcesses: Bool { liveCount > 0 }

  /// A new pid.
  mutating func allocateID() -> UInt64 {
    defer { nextID += 1 }
    return nextID
  }

  /// Adds a live process.
  mutating func add(_ process: UserProcess) {
    processes.insert(process, at: firstIndex(notBelow: process.id))
    liveCount += 1
    mostAlive = max(mostAlive, liveCount)
  }

  /// Records that a process ended (it stays, a zombie, until `remove`).
  mutating func recordEnd() { liveCount -= 1 }

  /// Starts counting `mostAlive` afresh (a new launch).
  mutating func resetPeak() { mostAlive = liveCount }

  /// Drops a reaped zombie (or, at a launch's end, any process left: then it counts as ended).
  mutating func remove(_ process: UserProcess) {
    if !process.isZombie { liveCount -= 1 }
    let index = firstIndex(notBelow: process.id)
    if index < processes.count, processes[index] === process {
      processes.remove(at: index)
    }
  }

  /// The process with pid `id`, if the table has it.
  func find(_ id: UInt64) -> UserProcess? {
    let index = firstIndex(notBelow: id)
    guard index < processes.count, processes[index].id == id else { return nil }
    return processes[index]
  }

  /// The index of the first process whose id is `id` or more (`processes.count` if none):
  /// a binary search of the sorted array.
  private func firstIndex(notBelow id: UInt64) -> Int {
    var low = 0
    var high = processes.count
    while low < high {
      let middle = low + (high - low) / 2
      if processes[middle].id < id { low = middle + 1 } else { high = middle }
    }
    return low
  }
}
