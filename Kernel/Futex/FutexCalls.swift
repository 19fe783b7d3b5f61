import KernelSupport

/// The futex call numbers (asm/unistd_64.h) not in the shared list.
extension SystemCallNumber {
  static let futex: UInt64 = 202
  static let get_robust_list: UInt64 = 274
}

/// `futex(uaddr, op, val, timeout / val2, uaddr2, val3)` (kernel/futex/): WAIT, WAKE,
/// WAIT_BITSET, WAKE_BITSET, REQUEUE, CMP_REQUEUE, private and shared, with timeouts (WAIT's
/// relative on the monotonic clock, WAIT_BITSET's absolute on CLOCK_MONOTONIC or, with
/// `FUTEX_CLOCK_REALTIME`, CLOCK_REALTIME). The PI operations and WAKE_OP answer ENOSYS (a
/// documented difference: musl and glibc use neither for mutexes, condition variables,
/// barriers, join or once unless a program asks for priority inheritance).
///
/// A waiter blocks in its own queue (`KernelThread.futex`; no spinning). Interrupted (a kill; later a
/// signal) it answers EINTR: Linux answers ERESTARTSYS (ERESTART_RESTARTBLOCK with a
/// timeout), which signal delivery converts; until the `signals` branch does that at delivery,
/// EINTR is what a program would see.
///
/// LOCK: `Scheduler.futexes` (the table) under the futex table lock; checking the word and
/// queueing the waiter happen under it without a switch between (one CPU, interrupts off).
enum FutexCalls {
  static func futex(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let operation = try FutexOperation(UInt32(truncatingIfNeeded: call.a1))
    let value = UInt32(truncatingIfNeeded: call.a2)
    let bitset = UInt32(truncatingIfNeeded: call.a5)
    let any = FutexOperation.FUTEX_BITSET_MATCH_ANY
    let deadline =
      operation.hasTimeout && call.a3 != 0 ? try timeout(at: call.a3, operation) : UInt64.max
    switch operation.command {
    case .wait:
      return try wait(call.a0, operation, expected: value, until: deadline, bitset: any)
    case .waitBitset:
      return try wait(call.a0, operation, expected: value, until: deadline, bitset: bitset)
    case .wake: return try wake(call.a0, operation, count: value, bitset: any)
    case .wakeBitset: return try wake(call.a0, operation, count: value, bitset: bitset)
    case .requeue:
      return try requeue(call.a0, to: call.a4, operation, wake: value, move: call.a3, compare: nil)
    case .compareRequeue:
      return try requeue(
        call.a0, to: call.a4, operation, wake: value, move: call.a3, compare: bitset)
    default: throw .ENOSYS
    }
  }

  /// The timeout as a deadline on the monotonic clock (ns): EFAULT unreadable, EINVAL not a
  /// valid `timespec`.
  static func timeout(at address: UInt64, _ operation: FutexOperation) throws(LinuxErrno)
    -> UInt64
  {
    let seconds = try UserMemory.readWord(at: address)
    let nanoseconds = try UserMemory.readWord(at: address + 8)
    guard Int64(bitPattern: seconds) >= 0, nanoseconds < LinuxStructures.nanosecondsPerSecond
    else { throw .EINVAL }
    let (scaled, overflow) = seconds.multipliedReportingOverflow(
      by: LinuxStructures.nanosecondsPerSecond)
    let time = overflow ? UInt64.max : scaled &+ nanoseconds
    let monotonic = MonotonicClock.nanoseconds()
    if operation.relativeTimeout {
      let (sum, late) = monotonic.addingReportingOverflow(time)
      return late ? .max : sum
    }
    guard operation.realtimeClock else { return time }
    // The wall clock runs with the monotonic one (nothing sets it): the same distance ahead.
    let wall = WallClock.nanoseconds()
    guard time > wall else { return monotonic }
    let (sum, late) = monotonic.addingReportingOverflow(time - wall)
    return late ? .max : sum
  }

  /// FUTEX_WAIT / FUTEX_WAIT_BITSET: EINVAL for an empty bitset, EAGAIN when the word is not
  /// `expected`, ETIMEDOUT at the deadline, 0 when woken.
  static func wait(
    _ address: UInt64, _ operation: FutexOperation, expected: UInt32, until deadline: UInt64,
    bitset: UInt32
  ) throws(LinuxErrno) -> UInt64 {
    guard bitset != 0 else { throw .EINVAL }
    let key = try FutexKeys.key(for: address, isPrivate: operation.isPrivate)
    guard try FutexKeys.read(address) == expected else { throw .EAGAIN }
    let outcome = Processor.borrowingCurrentThread { _, thread in
      block(thread, on: key, until: deadline, bitset: bitset)
    }
    switch outcome {
    case .woken: return 0
    case .tableFull: throw .ENOMEM
    case .timedOut: throw .ETIMEDOUT
    case .interrupted: throw .EINTR
    }
  }

  /// How a futex wait ended.
  enum WaitOutcome { case woken, tableFull, timedOut, interrupted }

  /// Queues the running `thread` (borrowed: it is the caller) on `key` and blocks it until a
  /// wake, the deadline or an interruption. Not throwing, so that it can run inside
  /// `Processor.borrowingCurrentThread`.
  static func block(
    _ thread: KernelThread, on key: FutexKey, until deadline: UInt64, bitset: UInt32
  ) -> WaitOutcome {
    let scheduler = Scheduler.shared
    thread.futex.key = key
    thread.futex.woken = false
    guard scheduler.futexes.enqueue(thread, on: key, bitset: bitset) else { return .tableFull }
    // The thread's own queue (a `let` of the thread's) borrowed: no retain around the wait.
    let queue = Unmanaged.passUnretained(thread.futex.queue)
    while !thread.futex.woken {
      let reason = queue._withUnsafeGuaranteedRef { $0.wait(until: deadline) }
      if thread.futex.woken { break }
      guard reason == .woken else {
        scheduler.futexes.remove(thread, from: thread.futex.key)
        return reason == .timedOut ? .timedOut : .interrupted
      }
    }
    return .woken
  }

  /// FUTEX_WAKE / FUTEX_WAKE_BITSET: wakes up to `count` waiters whose bitset meets `bitset`
  /// (0 or a negative count still wakes one, as Linux); answers how many.
  static func wake(_ address: UInt64, _ operation: FutexOperation, count: UInt32, bitset: UInt32)
    throws(LinuxErrno) -> UInt64
  {
    guard bitset != 0 else { throw .EINVAL }
    let key = try FutexKeys.key(for: address, isPrivate: operation.isPrivate)
    return UInt64(wake(key, upTo: FutexCounts.wakeLimit(count), bitset: bitset))
  }

  /// Wakes up to `limit` waiters of `key`; how many.
  @discardableResult
  static func wake(_ key: FutexKey, upTo limit: Int, bitset: UInt32) -> Int {
    Scheduler.shared.futexes.take(from: key, upTo: limit, matching: bitset) {
      $0.wakeFromFutex()
    }
  }

  /// FUTEX_REQUEUE / FUTEX_CMP_REQUEUE: wakes up to `wake` waiters of `source`'s futex and
  /// moves up to `move` of the rest to `target`'s; CMP first checks `source`'s word is
  /// `compare` (EAGAIN). Answers woken + moved.
  static func requeue(
    _ source: UInt64, to target: UInt64, _ operation: FutexOperation, wake: UInt32, move: UInt64,
    compare: UInt32?
  ) throws(LinuxErrno) -> UInt64 {
    let limits = try FutexCounts.requeueLimits(wake: wake, requeue: move)
    let from = try FutexKeys.key(for: source, isPrivate: operation.isPrivate)
    let to = try FutexKeys.key(for: target, isPrivate: operation.isPrivate)
    if let compare, try FutexKeys.read(source) != compare { throw .EAGAIN }
    let any = FutexOperation.FUTEX_BITSET_MATCH_ANY
    let woken = self.wake(from, upTo: limits.wake, bitset: any)
    if from == to {  // Linux requeues them onto the same futex: counted, nothing moves
      return UInt64(woken + min(Scheduler.shared.futexes.waiterCount(of: from), limits.requeue))
    }
    let moved = Scheduler.shared.futexes.move(from: from, to: to, upTo: limits.requeue)
    for thread in moved { thread.futex.key = to }
    return UInt64(woken + moved.count)
  }
}
