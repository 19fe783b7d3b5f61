/// Every process the kernel knows, live or zombie, by pid: what `kill`, `wait4`, `setpgid`
/// and `fork` look up. At most `Scheduler.processLimit` entries (fork answers EAGAIN beyond).
///
/// Pids count the processes of one boot, from 1, never reused (a boot runs far fewer than
/// 2^63).
///
/// LOCK: the scheduler lock (`Scheduler.table`).
struct ProcessTable {
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
    processes.append(process)
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
    if let index = processes.firstIndex(where: { $0 === process }) {
      processes.remove(at: index)
    }
  }

  func find(_ id: UInt64) -> UserProcess? {
    processes.first { $0.id == id }
  }
}
