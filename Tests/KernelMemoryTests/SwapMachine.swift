import KernelMemoryEmulation

@testable import KernelMemory

/// A fake swap disk for the host tests: slot contents in an array of pages, copied from and
/// to the emulated RAM's frames as the kernel's driver would, with failures on request.
final class FakeSwapDisk {
  let ram: EmulatedRAM
  /// Each slot's page as 512 words, nil for a slot never written.
  var pages: [[UInt64]?]
  /// Refuse every write / read while set (a device error).
  var failWrites = false
  var failReads = false
  /// Pages written and read, and transfers done.
  var pagesWritten = 0
  var pagesRead = 0
  var transfers = 0

  init(ram: EmulatedRAM, slotCount: Int) {
    self.ram = ram
    pages = [[UInt64]?](repeating: nil, count: slotCount)
  }

  static let words = Int(PageSize.size4KiB.bytes) / 8

  func write(_ transfer: SwapTransfer) -> Bool {
    transfers += 1
    guard !failWrites else { return false }
    for (index, frame) in transfer.frames.enumerated() {
      var page = [UInt64](repeating: 0, count: Self.words)
      for word in 0..<Self.words {
        page[word] = ram.load(frame.address.advanced(by: UInt64(word * 8)))
      }
      pages[Int(transfer.slot(at: index).number)] = page
      pagesWritten += 1
    }
    return true
  }

  func read(_ transfer: SwapTransfer) -> Bool {
    transfers += 1
    guard !failReads else { return false }
    for (index, frame) in transfer.frames.enumerated() {
      guard let page = pages[Int(transfer.slot(at: index).number)] else {
        preconditionFailure("reading a slot never written")
      }
      for word in 0..<Self.words {
        ram.store(page[word], at: frame.address.advanced(by: UInt64(word * 8)))
      }
      pagesRead += 1
    }
    return true
  }
}

/// A `TestMachine` with a swap area and the kernel's part of swapping played by the test:
/// the fake disk, a clock over the processes' ranges that swaps pages out to keep
/// `watermark` frames free before each access (the kernel's safe point), and accesses that
/// carry out the reads faults ask for.
final class SwapMachine {
  let machine: TestMachine
  let disk: FakeSwapDisk
  /// The frames the pool had (all of user memory, page tables included).
  let poolFrames: Int
  /// Free frames kept before each access.
  var watermark = 8
  /// The processes and ranges the clock sweeps.
  var residents: [(process: TestProcess, range: VirtualRange)] = []
  private var clockHand = 0
  private var clockOffset: UInt64 = 0
  /// Pages one clock step offers to `swapOut`.
  static let clockStep: UInt64 = 16

  var physical: TestMachine.Physical { machine.physical }
  var swap: SwapArea { machine.physical.swap! }

  /// A machine of `megabytes` of RAM and `slots` swap slots (the header included),
  /// `badSlots` bad; the commit limit is half the pool (as `TestMachine`'s) plus the swap.
  init(megabytes: UInt64, slots: Int, badSlots: [UInt32] = []) {
    machine = TestMachine(megabytes: megabytes)
    poolFrames = Int(machine.ram.frameCount - TestMachine.firstPoolFrame)
    machine.physical.attachSwap(slotCount: slots, badSlots: badSlots)
    let ramPart = machine.commit.limit
    machine.physical.resetCommit(limit: machine.physical.commitLimit(ramFrames: ramPart))
    disk = FakeSwapDisk(ram: machine.ram, slotCount: slots)
  }

  var freeFrames: Int { poolFrames - machine.frames.outstandingCount }

  /// Swaps out one clock step of the next resident range; false when nothing could go.
  @discardableResult
  func clockStep() -> Bool {
    guard !residents.isEmpty else { return false }
    if clockHand >= residents.count { clockHand = 0 }
    let (process, range) = residents[clockHand]
    let start = range.start + clockOffset
    let end = min(start + Self.clockStep * PageSize.size4KiB.bytes, range.end)
    var batch = SwapOutBatch()
    let result = process.space.swapOut(VirtualRange(uncheckedStart: start, end: end), into: &batch)
    writeOut(batch)
    if end >= range.end {
      clockHand += 1
      clockOffset = 0
    } else {
      clockOffset = end - range.start
    }
    return result.pagesUnmapped > 0
  }

  /// Writes `batch` with the disk and completes it.
  func writeOut(_ batch: SwapOutBatch) {
    for transfer in batch.transfers {
      physical.completeSwapOut(transfer, succeeded: disk.write(transfer))
    }
  }

  /// Reclaims until `watermark` frames are free (read-ahead copies first, then the clock).
  func reclaim() {
    var idle = 0
    while freeFrames < watermark {
      if physical.dropReadAhead(limit: watermark - freeFrames) > 0 { continue }
      if clockStep() {
        idle = 0
      } else {
        idle += 1
        precondition(idle <= 4 * max(1, residentPageCount()), "reclaim made no progress")
      }
    }
  }

  private func residentPageCount() -> Int {
    var pages = 0
    for resident in residents { pages += Int(resident.range.pageCount / Self.clockStep) + 1 }
    return pages
  }

  /// What an access ended as (a failed swap read: `.killed` with `.swapReadError`, which the
  /// kernel turns into SIGBUS).
  enum Result: Equatable {
    case completed
    case killed(KillReason)
  }

  /// Faults that asked for a swap read, and reads whose completion mapped the page.
  var swapReads = 0
  var readsMapped = 0

  /// One access of `process` as the kernel would run it: reclaim first, then the access,
  /// doing the reads its faults ask for and retrying.
  func access(
    _ process: TestProcess, _ address: UInt64, _ kind: AccessKind, value: UInt8 = 0
  ) -> Result {
    for _ in 0..<16 {
      reclaim()
      switch process.access(address, kind, value: value) {
      case .completed: return .completed
      case .killed(let reason): return .killed(reason)
      case .panicked(let reason): preconditionFailure("panic: \(reason)")
      case .swapRequested(.read(let read)):
        swapReads += 1
        let succeeded = disk.read(read.transfer)
        switch process.space.completeSwapIn(read, succeeded: succeeded) {
        case .kill(let reason): return .killed(reason)
        case .resolved(.swapIn): readsMapped += 1
        default: break
        }
      case .swapRequested(.waitForRead(let slot)):
        preconditionFailure("a single-threaded test waited for \(slot)")
      case .swapRequested(.needsFrame):
        watermark += 1  // the clock frees more next time round
      }
    }
    preconditionFailure("an access did not complete")
  }

  /// The byte `process` reads at `address`.
  func read(_ process: TestProcess, _ address: UInt64) -> UInt8? {
    guard access(process, address, .read) == .completed else { return nil }
    return try? process.mmu.read(at: VirtualAddress(address)!, mode: .user).get()
  }

  /// `process` writes `value` at `address`.
  @discardableResult
  func write(_ process: TestProcess, _ address: UInt64, _ value: UInt8) -> Result {
    access(process, address, .write, value: value)
  }

  /// Checks the swap bookkeeping against the page tables of `processes` (every live one):
  /// each slot's reference count is the number of distinct leaves holding its entry, the
  /// slots in use are exactly those (no I/O is in flight between steps), each space's
  /// `swappedPages` is its entries. Returns a description of the first mismatch.
  func slotAudit(_ processes: [TestProcess]) -> String? {
    var holders: [UInt32: Set<UInt64>] = [:]
    for process in processes {
      var count: UInt64 = 0
      process.space.forEachSwapEntry(in: VirtualRange(uncheckedStart: 0, end: UserLayout.end)) {
        _, slot, leaf in
        holders[slot.number, default: []].insert(leaf.value)
        count += 1
      }
      if count != process.space.swappedPages {
        return "swappedPages \(process.space.swappedPages), entries \(count)"
      }
    }
    for (slot, leaves) in holders {
      let references = swap.slots.references(of: SwapSlot(number: slot))
      if references != UInt32(leaves.count) {
        return "slot \(slot): \(references) references, \(leaves.count) leaves"
      }
    }
    var keptByCache = 0
    for number in 1..<swap.slots.slotCount {
      let slot = SwapSlot(number: UInt32(number))
      guard swap.slots.isInUse(slot), swap.slots.isHeldByCache(slot) else { continue }
      guard let frame = swap.cachedFrame(of: slot, in: physical.frameTable),
        physical.frameTable[frame].mapCount > 0
      else { return "slot \(number) held by the cache without a mapped copy" }
      if holders[UInt32(number)] == nil { keptByCache += 1 }
    }
    if swap.slots.usedSlots != holders.count + keptByCache {
      return "\(swap.slots.usedSlots) slots used, \(holders.count) referenced, "
        + "\(keptByCache) kept by the cache"
    }
    return nil
  }
}
