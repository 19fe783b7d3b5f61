import KernelSupport

/// The kernel's side of reclaim: it decides *when* the core's clock runs
/// (`PhysicalMemoryContext.ageMemory`, `dropUnmappedCachePages`; ReclaimClock.swift says
/// which pages go and why) and carries the passes out.
///
/// **Safe points.** Reclaim runs only where no core operation is in progress and nothing of
/// one is held half done: before the page trap asks the policy about a fault on a user
/// address (from ring 3, or a user-access routine in a system call), at the entry of every
/// system call (`SystemCalls.dispatch`), and once per page inside a file `write`, so a long
/// write reclaims as it goes. Each check is one comparison of the free count with the low
/// mark; below it a pass runs until `high` frames are free or `roundsPerPass` rounds found
/// nothing more to take.
///
/// **Why the frames an operation needs are there when it runs.** User memory takes frames
/// only inside an operation that began at a safe point, so it starts with more than
/// `watermarks.minimum` free (a pass ran if it had fewer than `low`). Between two safe points
/// one operation takes at most: a fault — the page, three page tables and the copy of a page
/// table fork shared (5 frames); a page of `write` — the page and three index tables (4); a
/// system call's other allocations — its own bounded tables (`fork` copies at most the upper
/// levels of the parent's tables, one frame per 1 GiB of address space the parent uses, and
/// the commit charged for them). The minimum mark is at least `ReclaimWatermarks
/// .minimumFreeKiBFloor` (32 frames), more than any of these, so what is left below it
/// stays the kernel's own (heap growth, page tables of its own): a kernel allocation that
/// still cannot be met panics, the seed's rule, and under user load that cannot happen while
/// the clock has something to take. Until swap exists, the commit limit (RAM less
/// `ProcessRunner.kernelReserveFrames`) is the stronger guarantee and passes drop only
/// clean page-cache pages.
///
/// No state of its own: the marks and hands are the context's (`ReclaimState`).
/// LOCK: the reclaim lock (one pass at a time) once a second CPU exists.
enum Reclaimer {
  /// Leaves the aging hand looks at per round: a few page tables' worth, so one round is
  /// short (about the cost of zeroing a frame per 8 leaves).
  static let agingBudget = 4 * pageTableEntryCount
  /// Pages of the page cache the cache hand looks at per round.
  static let cacheBudget = UInt64(4 * pageTableEntryCount)
  /// Rounds per pass at most: a pass ends when it has freed enough or the hands have gone
  /// round without finding more (16 rounds of 2048 leaves: 128 MiB of mappings looked at).
  static let roundsPerPass = 16
  /// The most swap-out candidates one round asks for (one swap-out batch).
  static let candidatesPerRound = pageTableEntryCount

  /// Sets the marks from the frames free once the kernel's own tables and heap exist.
  static func prepare(freeFrames: UInt64) {
    MemoryManager.physical?.setReclaimWatermarks(ReclaimWatermarks(frames: freeFrames))
  }

  /// Ends each pass: the threads that found memory short while another thread's pass slept
  /// on the disk wait here for it. A `static let` like `SwapService.readsDone`: one queue
  /// object, machine-wide like the context it serves (LOCK: the scheduler lock, as every
  /// `WaitQueue`; the pass itself is one at a time under the reclaim lock).
  static let passEnded = WaitQueue()

  /// A safe point: runs a pass when fewer than the low mark are free.
  ///
  /// Unretained: the context lives for the whole boot, and a retain/release pair around this
  /// one comparison was most of what the safe point added to every demand fault.
  @inline(__always) static func atSafePoint() {
    guard let context = MemoryManager.physical.map(Unmanaged.passUnretained) else { return }
    let belowLow = context._withUnsafeGuaranteedRef { physical in
      physical.frames.bitmap.freeFrameCount < physical.reclaim.watermarks.low
    }
    guard belowLow else { return }
    reclaimOrWait(context.takeUnretainedValue())
  }

  /// Below the low mark: runs a pass, or — while another thread's pass sleeps on the disk —
  /// goes on if at least the minimum is free (one operation takes at most a few frames before
  /// its next safe point) and otherwise sleeps until that pass ends. Going on below the
  /// minimum would let the threads a sleeping pass leaves running take the frames the kernel
  /// keeps back for itself (its heap, page tables) down to none.
  static func reclaimOrWait(_ physical: KernelPhysicalMemory) {
    while !runPass(physical), free(physical) < physical.reclaim.watermarks.minimum {
      waitForPass()  // then run a pass of its own if that one left too few
    }
  }

  /// Sleeps until the pass under way ends (the caller then looks at memory again).
  static func waitForPass() { _ = passEnded.wait() }

  /// One pass, when no other is under way (false then, at once): rounds of the read-ahead
  /// copies, the cache hand, then the aging hand (whose cold pages are written to swap,
  /// `SwapService.writeOut`) until `high` frames are free; then the threads waiting for it
  /// are woken. Never reached from inside a pass (it touches no user address and makes no
  /// system call), so a pass cannot wait for itself.
  @discardableResult static func runPass(_ physical: KernelPhysicalMemory) -> Bool {
    guard physical.beginReclaimPass() else { return false }
    runRounds(physical)
    physical.endReclaimPass()
    passEnded.wakeAll()
    return true
  }

  /// The rounds of one pass.
  private static func runRounds(_ physical: KernelPhysicalMemory) {
    let goal = physical.reclaim.watermarks.high
    var round = 0
    while free(physical) < goal, round < roundsPerPass {
      if physical.swap != nil {
        _ = physical.dropReadAhead(limit: Int(goal - free(physical)))
        guard free(physical) < goal else { return }
      }
      _ = physical.dropUnmappedCachePages(budget: cacheBudget, through: DirectMap())
      guard free(physical) < goal else { return }
      var batch = SwapOutBatch()
      let report = physical.ageMemory(
        budget: agingBudget, wanted: candidatesPerRound, swappingInto: &batch)
      physical.reclaimObjectPages(
        after: report, budget: cacheBudget, into: &batch, through: DirectMap())
      if !batch.isEmpty { SwapService.writeOut(batch, physical) }
      if report.swapOutStopped == .swapFull { return }
      round += 1
    }
  }

  /// The free frames now.
  static func free(_ physical: KernelPhysicalMemory) -> UInt64 {
    physical.frames.bitmap.freeFrameCount
  }
}
