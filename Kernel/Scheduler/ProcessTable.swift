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

  var isFull: Bool { processes.count >= Scheduler.processLimit }

  /// Whether any process has not ended yet.
  var hasLiveProcesses: Bool { processes.contains { !$0.isZombie } }

  /// A new pid.
  mutating func allocateID() -> UInt64 {
    defer { nextID += 1 }
    return nextID
  }

  mutating func add(_ process: UserProcess) {
    processes.append(process)
  }

  /// Drops a reaped zombie.
  mutating func remove(_ process: UserProcess) {
    if let index = processes.firstIndex(where: { $0 === process }) {
      processes.remove(at: index)
    }
  }

  func find(_ id: UInt64) -> UserProcess? {
    processes.first { $0.id == id }
  }
}
