/// The TLB work a page-table walk owes, gathered while it changes entries, and the frames that
/// may be reused only once that work is done — Linux's `mmu_gather`.
///
/// It names the address space whose translations changed (`root`, its PML4, what CR3 holds):
/// an invalidation is a statement about one space, so an implementation that knows which space
/// is loaded (or, later, tags translations with PCIDs) can direct it, and a flush of many pages
/// becomes `invalidateAddressSpace(root:)`, never a blind flush of whatever is loaded.
///
/// It owes a range of pages, as Linux's `flush_tlb_mm_range` does: the lowest to the highest
/// page changed, invalidated one by one (INVLPG) when that spans at most
/// `singlePageFlushCeiling` pages, else the whole space at once. (A range, not a list: two
/// words, where a list of 33 addresses cost the one-page calls more to set up and move than
/// their walk.) Frames queued with `release` (a leaf's frames whose
/// last mapping went, an emptied page table) go back to their source only after the
/// invalidations: nothing is reused while a CPU may still cache a translation or a paging-
/// structure entry that reaches it. The frame queue is bounded (it lives on the kernel stack):
/// a walk that fills it flushes early (`flushNow`) and carries on.
///
/// Small on purpose — eight words, so creating and moving one (every single-page call returns
/// one inside its `UnmappedPage` / `PendingInvalidation`) is a few register stores, not a
/// byte copy: the page range as two words (empty when lowest > highest), each frame run
/// packed in one word, room for the four runs a single-page walk can queue (its leaf's frames
/// and up to three emptied tables).
///
/// Non-copyable, and dropping it traps: owed work cannot be forgotten.
@frozen public struct TLBFlush: ~Copyable {
  /// Linux's `tlb_single_page_flush_ceiling` (arch/x86/mm/tlb.c): past this many pages one
  /// flush of the space beats invalidating them one by one.
  public static var singlePageFlushCeiling: Int { 33 }
  /// How many runs of frames wait for the flush at most; a walk flushes early when
  /// `needsFlushBeforeMore` says the queue is full.
  public static var frameRunCapacity: Int { 4 }
  /// The most a walk queues between two checks of `needsFlushBeforeMore`: one run (a leaf's
  /// frames, or one emptied table — the walk checks before each). A single-page walk queues at
  /// most four (its leaf's frames, three emptied tables), so never flushes early.
  static var runsPerStep: Int { 1 }

  /// The PML4 of the address space these invalidations are about.
  public let root: PhysicalFrame
  /// The lowest and highest page owed an INVLPG; none when lowest > highest.
  private var lowestPage = UInt64.max
  private var highestPage: UInt64 = 0
  /// The run the next frame may extend (count 0: none yet). Kept apart from `runs` so that
  /// queuing a frame next to the last one — an unmap of consecutive frames, the common case —
  /// is two compares and an add.
  private var latest = FrameRun.none
  /// Frames to hand back after the invalidations, as runs: the closed ones here, `closedRuns`
  /// of them, and the one still growing in `latest`.
  private var runs = (FrameRun.none, FrameRun.none, FrameRun.none)
  private var closedRuns: UInt8 = 0
  /// Whether the whole space's translations must go (too many pages, or a table unlinked whole).
  public private(set) var flushesWholeSpace = false

  /// Whether a page is owed an INVLPG.
  private var hasPages: Bool { lowestPage <= highestPage }
  /// How many pages the owed range spans (0: none owed).
  public var pageCount: Int {
    hasPages ? Int(truncatingIfNeeded: (highestPage &- lowestPage) >> pageShift) + 1 : 0
  }
  /// How many runs are queued.
  public var runCount: Int { Int(closedRuns) + (latest.count > 0 ? 1 : 0) }

  /// Nothing owed yet, for the address space whose PML4 is `root`.
  public init(root: PhysicalFrame) { self.root = root }

  /// The closed run at `index` (below `closedRuns`).
  private func closedRun(_ index: Int) -> FrameRun {
    switch index {
    case 0: return runs.0
    case 1: return runs.1
    default: return runs.2
    }
  }

  /// Whether anything is owed: an invalidation or a frame to return.
  public var isEmpty: Bool { !hasPages && !flushesWholeSpace && latest.count == 0 }

  /// The page addresses owed an INVLPG, lowest first (empty once the whole space is owed).
  public var pendingPages: [UInt64] {
    var result: [UInt64] = []
    for index in 0..<UInt64(pageCount) { result.append(lowestPage &+ index << pageShift) }
    return result
  }

  /// log2 of the 4 KiB page size.
  private var pageShift: UInt64 { UInt64(PageSize.size4KiB.bytes.trailingZeroBitCount) }

  /// The frames queued for release, each run expanded, in queue order.
  public var pendingFrames: [PhysicalFrame] {
    var result: [PhysicalFrame] = []
    for index in 0..<Int(closedRuns) {
      let run = closedRun(index)
      for offset in 0..<run.count { result.append(PhysicalFrame(number: run.first &+ offset)) }
    }
    for offset in 0..<latest.count { result.append(PhysicalFrame(number: latest.first &+ offset)) }
    return result
  }

  /// Whether fewer than `runsPerStep` runs still fit: the walk must flush before its next step.
  var needsFlushBeforeMore: Bool { runCount > TLBFlush.frameRunCapacity - TLBFlush.runsPerStep }

  /// Owes an invalidation of the page at `page` (canonical). Past the ceiling the whole space
  /// is owed instead — only for the process's part: kernel pages may be global, which a CR3
  /// reload keeps, so a walk of the kernel's part never gathers that many.
  public mutating func invalidate(_ page: UInt64) {
    guard !flushesWholeSpace else { return }
    let low = min(lowestPage, page)
    let high = max(highestPage, page)
    guard (high &- low) >> pageShift < UInt64(TLBFlush.singlePageFlushCeiling) else {
      precondition(high < UserLayout.end, "a kernel-part walk outgrew single-page flushes")
      invalidateWholeSpace()
      return
    }
    (lowestPage, highestPage) = (low, high)
  }

  /// Owes the invalidation an unlinked table needs: the paging-structure caches may still hold
  /// the entry that pointed to it. Any INVLPG drops every paging-structure cache entry of the
  /// current PCID whatever its address (Intel SDM Vol. 3A §4.10.4.1), so one already owed for
  /// a page covers the table, and only a table emptied with no page owed adds one of its own.
  public mutating func invalidateTable(at start: UInt64) {
    guard !hasPages, !flushesWholeSpace else { return }
    invalidate(start)
  }

  /// Owes a flush of every translation of the space (a page table unlinked whole).
  public mutating func invalidateWholeSpace() {
    flushesWholeSpace = true
    (lowestPage, highestPage) = (UInt64.max, 0)
  }

  /// Queues `count` frames from `first` on for release after the flush.
  public mutating func release(_ first: PhysicalFrame, count: Int = 1) {
    if latest.count > 0 {
      if latest.first &+ latest.count == first.number,
        latest.count &+ UInt64(count) <= FrameRun.maxCount
      {
        latest.add(UInt64(count))
        return
      }
      switch closedRuns {
      case 0: runs.0 = latest
      case 1: runs.1 = latest
      case 2: runs.2 = latest
      default: preconditionFailure("a walk overfilled its flush token")
      }
      closedRuns &+= 1
    }
    latest = FrameRun(first: first.number, count: UInt64(count))
  }

  /// Does what is owed — the invalidations, then the releases — and starts over empty.
  public mutating func flushNow<TLB: TranslationCache, Frames: FrameSource>(
    _ tlb: TLB, returningFramesTo frames: inout Frames
  ) {
    if flushesWholeSpace {
      tlb.invalidateAddressSpace(root: root)
    } else if hasPages {
      var page = lowestPage
      while true {
        tlb.invalidate(VirtualAddress(truncatingToCanonical: page), inAddressSpace: root)
        guard page < highestPage else { break }
        page &+= PageSize.size4KiB.bytes
      }
    }
    for index in 0..<Int(closedRuns) {
      let run = closedRun(index)
      for offset in 0..<run.count {
        frames.releaseFrame(PhysicalFrame(number: run.first &+ offset))
      }
    }
    for offset in 0..<latest.count {
      frames.releaseFrame(PhysicalFrame(number: latest.first &+ offset))
    }
    (lowestPage, highestPage) = (UInt64.max, 0)
    flushesWholeSpace = false
    closedRuns = 0
    latest = .none
  }

  /// Does what is owed and ends the token.
  public consuming func flush<TLB: TranslationCache, Frames: FrameSource>(
    _ tlb: TLB, returningFramesTo frames: inout Frames
  ) {
    flushNow(tlb, returningFramesTo: &frames)
    discard self
  }

  /// Ends a token that owes nothing (a walk that changed no present entry).
  public consuming func finishEmpty() {
    precondition(isEmpty, "a TLB flush with work owed was ended without doing it")
    discard self
  }

  deinit { preconditionFailure("a TLB flush was dropped without flush") }
}

/// `count` consecutive frames from frame number `first`, in one word: the frame number above
/// `countBits` (a 52-bit physical address has 40-bit frame numbers), the count below.
@frozen @usableFromInline struct FrameRun {
  @usableFromInline var bits: UInt64

  /// The bits of the count: up to 2^24 - 1 frames (64 GiB) in one run, past a 1 GiB page's.
  @usableFromInline static var countBits: UInt64 { 24 }
  @usableFromInline static var maxCount: UInt64 { (1 << countBits) - 1 }
  /// No frames.
  @usableFromInline static var none: FrameRun { FrameRun(first: 0, count: 0) }

  @usableFromInline init(first: UInt64, count: UInt64) {
    precondition(
      count <= FrameRun.maxCount && first >> (64 - FrameRun.countBits) == 0,
      "a frame run out of range")
    bits = first << FrameRun.countBits | count
  }

  @usableFromInline var first: UInt64 { bits >> FrameRun.countBits }
  @usableFromInline var count: UInt64 { bits & FrameRun.maxCount }

  /// Grows the run by `more` frames (the caller keeps the count within `maxCount`).
  @usableFromInline mutating func add(_ more: UInt64) { bits &+= more }
}
