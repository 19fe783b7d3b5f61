/// A `futex(uaddr, op, val, timeout, uaddr2, val3)` operation word decoded as Linux's
/// `do_futex` does (linux/futex.h, kernel/futex/syscalls.c).
public struct FutexOperation: Equatable, Sendable {
  /// The commands (`op & FUTEX_CMD_MASK`).
  public enum Command: UInt32, Sendable {
    case wait = 0  // FUTEX_WAIT
    case wake = 1  // FUTEX_WAKE
    case fd = 2  // FUTEX_FD (removed in Linux 2.6.26: ENOSYS)
    case requeue = 3  // FUTEX_REQUEUE
    case compareRequeue = 4  // FUTEX_CMP_REQUEUE
    case wakeOp = 5  // FUTEX_WAKE_OP
    case lockPI = 6  // FUTEX_LOCK_PI
    case unlockPI = 7  // FUTEX_UNLOCK_PI
    case trylockPI = 8  // FUTEX_TRYLOCK_PI
    case waitBitset = 9  // FUTEX_WAIT_BITSET
    case wakeBitset = 10  // FUTEX_WAKE_BITSET
    case waitRequeuePI = 11  // FUTEX_WAIT_REQUEUE_PI
    case compareRequeuePI = 12  // FUTEX_CMP_REQUEUE_PI
    case lockPI2 = 13  // FUTEX_LOCK_PI2
  }

  public static let FUTEX_PRIVATE_FLAG: UInt32 = 128
  public static let FUTEX_CLOCK_REALTIME: UInt32 = 256
  public static let FUTEX_CMD_MASK: UInt32 = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
  /// WAIT's and WAKE's bitset: every bit.
  public static let FUTEX_BITSET_MATCH_ANY: UInt32 = 0xffff_ffff

  /// Robust-futex word bits (linux/futex.h).
  public static let FUTEX_WAITERS: UInt32 = 0x8000_0000
  public static let FUTEX_OWNER_DIED: UInt32 = 0x4000_0000
  public static let FUTEX_TID_MASK: UInt32 = 0x3fff_ffff

  public let command: Command
  /// `FUTEX_PRIVATE_FLAG`: the word is in memory of this process only.
  public let isPrivate: Bool
  /// `FUTEX_CLOCK_REALTIME`: an absolute timeout is on CLOCK_REALTIME, not CLOCK_MONOTONIC.
  public let realtimeClock: Bool

  /// Decodes `op`; ENOSYS for an unknown command, or `FUTEX_CLOCK_REALTIME` on a command that
  /// has no timeout to measure with it (Linux's order: the clock check comes first).
  public init(_ op: UInt32) throws(LinuxErrno) {
    let realtime = op & Self.FUTEX_CLOCK_REALTIME != 0
    let raw = op & Self.FUTEX_CMD_MASK
    guard let command = Command(rawValue: raw) else { throw .ENOSYS }
    if realtime && !command.acceptsRealtimeClock { throw .ENOSYS }
    self.command = command
    self.isPrivate = op & Self.FUTEX_PRIVATE_FLAG != 0
    self.realtimeClock = realtime
  }

  /// Whether the command reads `timeout` as a timeout (`futex_cmd_has_timeout`); for the
  /// requeues it is `val2`, a count.
  public var hasTimeout: Bool {
    switch command {
    case .wait, .lockPI, .lockPI2, .waitBitset, .waitRequeuePI: return true
    default: return false
    }
  }

  /// Whether the timeout is relative (WAIT: from now on the monotonic clock) rather than an
  /// absolute time.
  public var relativeTimeout: Bool { command == .wait }
}

extension FutexOperation.Command {
  /// The commands `FUTEX_CLOCK_REALTIME` may go with (Linux since 4.5 includes FUTEX_WAIT).
  var acceptsRealtimeClock: Bool {
    switch self {
    case .wait, .waitBitset, .waitRequeuePI, .lockPI2: return true
    default: return false
    }
  }
}

/// Linux's counting rules for waking and requeueing (kernel/futex/waitwake.c, requeue.c),
/// kept apart so they can be tested on the host.
public enum FutexCounts {
  /// `futex_wake(nr_wake)`: the loop wakes one before it compares, so a count of 0 (or a
  /// negative one) still wakes one waiter.
  public static func wakeLimit(_ value: UInt32) -> Int {
    let count = Int32(bitPattern: value)
    return count <= 0 ? 1 : Int(count)
  }

  /// `futex_requeue(nr_wake, nr_requeue)`: both must be ≥ 0 (else EINVAL; `nr_requeue` is the
  /// timeout argument's low 32 bits); then up to nr_wake waiters are woken and up to
  /// nr_requeue of the rest moved (unlike `futex_wake`, 0 wakes none).
  public static func requeueLimits(wake: UInt32, requeue: UInt64) throws(LinuxErrno)
    -> (wake: Int, requeue: Int)
  {
    let wakeCount = Int32(bitPattern: wake)
    let requeueCount = Int32(truncatingIfNeeded: requeue)
    guard wakeCount >= 0, requeueCount >= 0 else { throw .EINVAL }
    return (Int(wakeCount), Int(requeueCount))
  }
}
