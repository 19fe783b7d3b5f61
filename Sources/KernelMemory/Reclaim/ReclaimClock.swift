/// The machine's reclaim state: where the two clock hands stand and what they have done.
/// Owned by the `PhysicalMemoryContext` (`reclaim`). LOCK: the reclaim lock once a second
/// CPU exists (one reclaimer at a time; it takes each space's lock per chunk inside).
///
/// **The scheme: a clock (second chance) over the page tables, in two hands.**
/// - The *aging hand* (`ageMemory`) sweeps the live address spaces (`AddressSpaceDirectory`
///   slot by slot, each space's regions in address order), clearing accessed bits and
///   offering the leaves it finds still clear — untouched for a whole revolution — to the
///   swap-out, or, for a clean page-cache page, unmapping them (`AddressSpace.age`).
/// - The *cache hand* (`dropUnmappedCachePages`) sweeps the page cache's objects page by
///   page and frees the pages no leaf maps any more (cold in every space that had them, or
///   left by programs that exited): they are clean, so they are dropped, never written; the
///   next fault or `read` refills them from the file (`cachedPage`).
///
/// Why a clock over the page tables rather than two LRU lists (Zircon's page queues,
/// FreeBSD's active/inactive/laundry queues, Linux's pre-6.1 active/inactive lists): those
/// keep every page on a linked list — 16 bytes more per frame record, which is 8 today
/// (`FrameInfo`), and a list edit on every fault — and still learn recency only from the
/// accessed bits, which they must find through the reverse map one page at a time. Linux's
/// MGLRU (6.1) showed that walking the page tables in address order harvests the accessed
/// bits far more cheaply (neighbouring leaves share a cache line, empty tables are skipped
/// whole); its generations refine "cold" into four ages. A clock is MGLRU with two
/// generations: one bit of age, the accessed bit itself, no per-frame state. Each call does
/// O(leaves scanned) work for a bounded budget and resumes where the last stopped.
public struct ReclaimState: Sendable {
  /// The directory slot the aging hand is in.
  public internal(set) var spaceSlot: UInt32 = 0
  /// The address in that space it resumes at.
  public internal(set) var address: UInt64 = 0
  /// The page-cache entry the cache hand is in.
  public internal(set) var cacheEntry = 0
  /// The page of that entry's object it resumes at.
  public internal(set) var cachePage: UInt64 = 0
  /// Revolutions of the aging hand completed (it passed the last space).
  public internal(set) var revolutions: UInt64 = 0
  /// Clean page-cache pages freed (never written anywhere).
  public internal(set) var droppedCachePages: UInt64 = 0
  /// Dropped page-cache pages read back from the file.
  public internal(set) var refilledCachePages: UInt64 = 0
  /// When reclaim runs (all zero, never, until the kernel sets them at boot).
  public internal(set) var watermarks = ReclaimWatermarks(minimum: 0, low: 0, high: 0)
  /// Reclaim passes run (a safe point found fewer than `watermarks.low` frames free).
  public internal(set) var passes: UInt64 = 0
  /// Whether a pass is under way (it may sleep on the disk: no second one meanwhile).
  public internal(set) var passRunning = false

  /// The hands at the start.
  public init() {}
}

extension PhysicalMemoryContext {
  /// Sets when reclaim runs (the kernel, once it knows its free frames at boot).
  public func setReclaimWatermarks(_ marks: ReclaimWatermarks) {
    reclaim.watermarks = marks
  }

  /// Starts a reclaim pass: false when one is under way already (it sleeps on the disk).
  public func beginReclaimPass() -> Bool {
    guard !reclaim.passRunning else { return false }
    reclaim.passRunning = true
    reclaim.passes += 1
    return true
  }

  /// Ends the pass `beginReclaimPass` started.
  public func endReclaimPass() { reclaim.passRunning = false }

  /// Moves the aging hand over at most `budget` leaves (about; a walk finishes its page
  /// table) and returns what it found: at most `wanted` candidates for swap-out, and how many
  /// clean page-cache leaves it unmapped. One call never passes a leaf twice (it stops
  /// before the hand comes back to the slot it started in), so a bit it cleared is not read
  /// as "cold" by the same call.
  public func ageMemory(budget: Int, wanted: Int) -> AgingReport {
    var unused = SwapOutBatch()
    return ageMemory(budget: budget, wanted: wanted, swapping: false, batch: &unused)
  }

  /// `ageMemory`, and the cold private pages it finds go to swap: phase one of swap-out
  /// (`AddressSpace.swapOut`) into `batch`, which the kernel then writes and completes
  /// (`completeSwapOut`). The pass ends early when the batch or the swap area is full
  /// (`AgingReport.swapOutStopped`).
  public func ageMemory(budget: Int, wanted: Int, swappingInto batch: inout SwapOutBatch)
    -> AgingReport
  {
    ageMemory(budget: budget, wanted: wanted, swapping: swap != nil, batch: &batch)
  }

  func ageMemory(budget: Int, wanted: Int, swapping: Bool, batch: inout SwapOutBatch)
    -> AgingReport
  {
    var report = AgingReport()
    var visited = 0
    while report.scanned < budget, visited < spaces.slots.count, report.swapOutStopped == nil {
      if Int(reclaim.spaceSlot) >= spaces.slots.count {
        reclaim.spaceSlot = 0
        reclaim.address = 0
        reclaim.revolutions += 1
      }
      guard let handle = spaces.slots[Int(reclaim.spaceSlot)] else {
        advanceAgingHand()
        visited += 1
        continue
      }
      let remaining = budget - report.scanned
      if let next = handle.age(reclaim.address, remaining, wanted, &report, swapping, &batch) {
        reclaim.address = next
      } else {
        advanceAgingHand()
        visited += 1
      }
    }
    return report
  }

  /// The aging hand goes on to the next space slot, at its start.
  func advanceAgingHand() {
    reclaim.spaceSlot += 1
    reclaim.address = 0
  }
}
