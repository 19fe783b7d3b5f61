/// A process's resource limits (`getrlimit`, `setrlimit`, `prlimit64`): Linux's defaults for a
/// process started by init, and what the process set since. Every process runs as root, so a
/// hard limit may be raised as well as lowered (CAP_SYS_RESOURCE), up to `nr_open` for
/// `RLIMIT_NOFILE`.
///
/// What the kernel enforces: `RLIMIT_NOFILE` (descriptor numbers, `poll`'s `nfds`). The stack is
/// fixed at `UserLayout.defaultStackSize` when the program is loaded, as Linux fixes it at exec.
/// The others are kept and reported only (there is one process and no fork, core dump or file
/// system for them to limit).
struct ResourceLimits {
  /// One limit: `struct rlimit { rlim_cur; rlim_max; }`.
  struct Limit: Equatable {
    var soft: UInt64
    var hard: UInt64
  }

  /// Resource numbers (asm-generic/resource.h).
  enum Resource {
    static let cpu: UInt64 = 0  // RLIMIT_CPU
    static let fileSize: UInt64 = 1  // RLIMIT_FSIZE
    static let data: UInt64 = 2  // RLIMIT_DATA
    static let stack: UInt64 = 3  // RLIMIT_STACK
    static let core: UInt64 = 4  // RLIMIT_CORE
    static let residentSet: UInt64 = 5  // RLIMIT_RSS
    static let processes: UInt64 = 6  // RLIMIT_NPROC
    static let openFiles: UInt64 = 7  // RLIMIT_NOFILE
    static let lockedMemory: UInt64 = 8  // RLIMIT_MEMLOCK
    static let addressSpace: UInt64 = 9  // RLIMIT_AS
    static let fileLocks: UInt64 = 10  // RLIMIT_LOCKS
    static let pendingSignals: UInt64 = 11  // RLIMIT_SIGPENDING
    static let messageQueueBytes: UInt64 = 12  // RLIMIT_MSGQUEUE
    static let nice: UInt64 = 13  // RLIMIT_NICE
    static let realTimePriority: UInt64 = 14  // RLIMIT_RTPRIO
    static let realTimeCPU: UInt64 = 15  // RLIMIT_RTTIME
    /// `RLIM_NLIMITS`.
    static let count: UInt64 = 16
  }

  /// `RLIM_INFINITY`.
  static let unlimited: UInt64 = ~0
  /// `INR_OPEN_CUR`, `INR_OPEN_MAX`: the default descriptor limits (include/uapi/linux/fs.h).
  static let openFilesSoft: UInt64 = 1024
  static let openFilesHard: UInt64 = 4096
  /// `fs.nr_open` (`sysctl_nr_open`, default 1024 * 1024): no `RLIMIT_NOFILE` above it.
  static let openFilesCeiling: UInt64 = 1024 * 1024
  /// `MLOCK_LIMIT` (8 MiB since Linux 5.16).
  static let lockedMemoryDefault: UInt64 = 8 << 20
  /// `MQ_BYTES_MAX` (819,200 bytes).
  static let messageQueueBytesDefault: UInt64 = 819_200
  /// Linux sizes `max_threads` so that thread stacks take at most 1/8 of RAM: pages / (8 ×
  /// THREAD_SIZE / PAGE_SIZE), with 16 KiB kernel stacks; init's `RLIMIT_NPROC` and
  /// `RLIMIT_SIGPENDING` are half of that (kernel/fork.c, `fork_init`).
  static let framesPerThread: UInt64 = 8 * (16 * 1024) / PageSize.size4KiB.bytes
  /// `MIN_THREADS`: the floor of `max_threads`.
  static let minimumThreads: UInt64 = 20

  private var limits: [Limit]

  /// Linux 6.1's limits for init's child on a machine with `usableFrames` frames of RAM:
  /// NOFILE 1024 / 4096, STACK 8 MiB / unlimited, CORE 0 / unlimited, MEMLOCK 8 MiB, NPROC and
  /// SIGPENDING from RAM, MSGQUEUE 800 KiB, NICE and RTPRIO 0, the rest unlimited.
  init(usableFrames: UInt64) {
    let infinite = Limit(soft: Self.unlimited, hard: Self.unlimited)
    limits = [Limit](repeating: infinite, count: Int(Resource.count))
    let threads = max(usableFrames / Self.framesPerThread, Self.minimumThreads)
    let processes = Limit(soft: threads / 2, hard: threads / 2)
    set(Resource.stack, Limit(soft: UserLayout.defaultStackSize, hard: Self.unlimited))
    set(Resource.core, Limit(soft: 0, hard: Self.unlimited))
    set(Resource.processes, processes)
    set(Resource.openFiles, Limit(soft: Self.openFilesSoft, hard: Self.openFilesHard))
    set(
      Resource.lockedMemory, Limit(soft: Self.lockedMemoryDefault, hard: Self.lockedMemoryDefault))
    set(Resource.pendingSignals, processes)
    set(
      Resource.messageQueueBytes,
      Limit(soft: Self.messageQueueBytesDefault, hard: Self.messageQueueBytesDefault))
    set(Resource.nice, Limit(soft: 0, hard: 0))
    set(Resource.realTimePriority, Limit(soft: 0, hard: 0))
  }

  /// The limit of `resource` (an `unsigned int` in the system call: the upper half is ignored),
  /// or EINVAL for an unknown resource.
  func limit(_ resource: UInt64) throws(LinuxErrno) -> Limit {
    limits[try Self.index(resource)]
  }

  /// Sets a limit as `do_prlimit` does: soft above hard is EINVAL; `RLIMIT_NOFILE` above
  /// `nr_open` is EPERM (even for root).
  mutating func setLimit(_ resource: UInt64, _ limit: Limit) throws(LinuxErrno) {
    let index = try Self.index(resource)
    guard limit.soft <= limit.hard else { throw .EINVAL }
    if UInt64(index) == Resource.openFiles, limit.hard > Self.openFilesCeiling { throw .EPERM }
    limits[index] = limit
  }

  /// The soft `RLIMIT_NOFILE`: descriptors must be below it.
  var openFiles: UInt64 { limits[Int(Resource.openFiles)].soft }

  private mutating func set(_ resource: UInt64, _ limit: Limit) {
    limits[Int(resource)] = limit
  }

  private static func index(_ resource: UInt64) throws(LinuxErrno) -> Int {
    let number = UInt64(UInt32(truncatingIfNeeded: resource))
    guard number < Resource.count else { throw .EINVAL }
    return Int(number)
  }
}
