import KernelSupport

/// Robust futexes (Documentation/locking/robust-futex-ABI.rst, kernel/futex/core.c): a thread
/// registers the head of a list of the robust mutexes it holds (`set_robust_list`); when it
/// ends, the kernel walks the list and, for each futex word still holding the thread's tid,
/// sets FUTEX_OWNER_DIED (keeping FUTEX_WAITERS) and wakes one waiter, so the next locker
/// learns the owner died (`EOWNERDEAD`) instead of waiting for ever.
///
/// `struct robust_list_head` (24 bytes): `next` (the first entry; the list is circular through
/// the head), `futex_offset` (signed: from an entry to its futex word), `list_op_pending` (an
/// entry being locked or unlocked right now). Bit 0 of an entry pointer marks a PI futex.
enum RobustList {
  /// `sizeof(struct robust_list_head)`: the only length `set_robust_list` accepts.
  static let headSize: UInt64 = 24
  /// `ROBUST_LIST_LIMIT`: the most entries walked (a corrupt or circular list ends there).
  static let walkLimit = 2048
  /// Bit 0 of an entry pointer: the futex is a PI futex.
  static let piBit: UInt64 = 1
  static let wordBytes: UInt64 = 8

  /// `set_robust_list(head, len)`: EINVAL unless `len` is the head's size.
  static func set(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    guard call.a1 == headSize else { throw .EINVAL }
    let thread = Scheduler.shared.current
    thread.user.robustListHead = call.a0
    thread.user.robustListLength = call.a1
    return 0
  }

  /// `get_robust_list(pid, head_ptr, len_ptr)`: the head registered by thread `pid` (0: the
  /// caller); ESRCH for no such thread; the length is written first, as Linux does.
  static func get(_ call: SystemCallArguments) throws(LinuxErrno) -> UInt64 {
    let tid = Int32(truncatingIfNeeded: call.a0)
    let thread: KernelThread
    if tid == 0 {
      thread = Scheduler.shared.current
    } else {
      guard tid > 0, let found = Scheduler.shared.threads.find(UInt64(tid)) else { throw .ESRCH }
      thread = found
    }
    try UserMemory.copyOut(LinuxStructures.littleEndian(headSize), to: call.a2)
    try UserMemory.copyOut(LinuxStructures.littleEndian(thread.user.robustListHead), to: call.a1)
    return 0
  }

  /// The walk at `thread`'s end (it is the running thread: its space is the CPU's). A fault
  /// anywhere stops the walk, as Linux's does.
  static func release(_ thread: KernelThread) {
    let head = thread.user.robustListHead
    guard head != 0 else { return }
    thread.user.robustListHead = 0
    let tid = UInt32(truncatingIfNeeded: thread.user.tid)
    guard let first = try? UserMemory.readWord(at: head),
      let offset = try? UserMemory.readWord(at: head + wordBytes),
      let pending = try? UserMemory.readWord(at: head + 2 * wordBytes)
    else { return }
    var entry = first
    var budget = walkLimit
    while entry & ~piBit != head {
      guard let next = try? UserMemory.readWord(at: entry & ~piBit) else { return }
      if entry != pending {
        ownerDied(at: (entry & ~piBit) &+ offset, tid: tid, pi: entry & piBit != 0, pending: false)
      }
      entry = next
      budget -= 1
      guard budget > 0 else { break }
    }
    if pending != 0 {
      ownerDied(at: (pending & ~piBit) &+ offset, tid: tid, pi: pending & piBit != 0, pending: true)
    }
  }

  /// `handle_futex_death`: marks the futex at `address` as its owner's died if `tid` holds it,
  /// and wakes one waiter if it had any. An entry in `list_op_pending` with a word of 0 (the
  /// owner died between unlocking and taking it off the list) wakes one waiter too.
  static func ownerDied(at address: UInt64, tid: UInt32, pi: Bool, pending: Bool) {
    guard address % FutexKeys.wordSize == 0, let word = try? FutexKeys.read(address) else {
      return
    }
    let any = FutexOperation.FUTEX_BITSET_MATCH_ANY
    if pending && !pi && word == 0 {
      if let key = try? FutexKeys.key(for: address, isPrivate: false) {
        FutexCalls.wake(key, upTo: 1, bitset: any)
      }
      return
    }
    guard word & FutexOperation.FUTEX_TID_MASK == tid else { return }
    let marked = (word & FutexOperation.FUTEX_WAITERS) | FutexOperation.FUTEX_OWNER_DIED
    guard (try? FutexKeys.write(marked, to: address)) != nil else { return }
    guard !pi, word & FutexOperation.FUTEX_WAITERS != 0,
      let key = try? FutexKeys.key(for: address, isPrivate: false)
    else { return }
    FutexCalls.wake(key, upTo: 1, bitset: any)
  }
}
