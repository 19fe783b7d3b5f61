/// What a fault on a swapped page asks of the kernel (`FaultResolution.swap`).
public enum SwapFault: Sendable, Equatable, CustomStringConvertible {
  /// Read `SwapRead.frames.count` neighbouring slots from `SwapRead.transfer.firstSlot` into
  /// the frames the core chose (in the swap cache, under read), call
  /// `PhysicalMemoryContext.completeSwapIn`, then retry the instruction (which then finds the
  /// page in the swap cache). The faulting thread sleeps meanwhile; others run.
  case read(SwapRead)
  /// Another fault's read of this slot is under way: sleep until reads complete, then retry.
  case waitForRead(SwapSlot)
  /// No free frame for the page: reclaim (the commit guarantees a frame or a slot exists for
  /// every committed page, so reclaim can always make one), then retry.
  case needsFrame

  public var description: String {
    switch self {
    case .read(let read):
      return "read " + String(read.transfer.frames.count) + " page(s) from "
        + read.transfer.firstSlot.description
    case .waitForRead(let slot): return "wait for the read of " + slot.description
    case .needsFrame: return "reclaim a frame"
    }
  }
}

/// One transfer between consecutive swap slots and frames: what the kernel's disk call takes
/// (`firstSlot`, `frames`), frame `i` ↔ slot `firstSlot + i`.
public struct SwapTransfer: Sendable, Equatable {
  /// The slot of `frames[0]`.
  public let firstSlot: SwapSlot
  /// The frames, one per consecutive slot.
  public internal(set) var frames: [PhysicalFrame]

  /// The slot of `frames[index]`.
  public func slot(at index: Int) -> SwapSlot {
    SwapSlot(number: firstSlot.number + UInt32(index))
  }

  /// The slot after the last.
  var endSlot: UInt32 { firstSlot.number + UInt32(frames.count) }
}

/// The read a fault asks for: the faulting page's slot first, then the slots read ahead.
public struct SwapRead: Sendable, Equatable {
  /// The slots and the frames to read them into.
  public let transfer: SwapTransfer
  /// The faulting address (page-aligned).
  public let page: UInt64
  /// The faulting access: a read leaves the page a clean copy of its slot, a write takes it
  /// out of the swap cache (`AddressSpace.mapSwapCached`).
  public let access: AccessKind

  /// A read of `transfer` for a fault at `page` (0 for an object page no fault is behind:
  /// `objectSwapIn`) by `access`.
  init(transfer: SwapTransfer, page: UInt64, access: AccessKind = .read) {
    self.transfer = transfer
    self.page = page
    self.access = access
  }
}

/// The pages one swap-out prepared: each unmapped (its leaves hold swap entries now, the
/// TLB flushed), a slot assigned, its frame in the swap cache under write. The kernel writes
/// each transfer (`transfers`) and calls `PhysicalMemoryContext.completeSwapOut`, which frees
/// the frames no leaf mapped again meanwhile. A batch dropped without completion leaks its
/// frames and slots: complete every one, with `succeeded: false` when the device failed.
public struct SwapOutBatch: Sendable, Equatable {
  /// The writes, neighbouring slots merged into one transfer.
  public private(set) var transfers: [SwapTransfer] = []

  /// An empty batch.
  public init() {}

  /// The pages to write.
  public var pageCount: Int {
    var count = 0
    for transfer in transfers { count += transfer.frames.count }
    return count
  }

  /// Whether there is nothing to write.
  public var isEmpty: Bool { transfers.isEmpty }

  /// Adds the write of `frame` to `slot`, joining the last transfer when `slot` follows it.
  mutating func add(_ frame: PhysicalFrame, to slot: SwapSlot) {
    if let last = transfers.indices.last, transfers[last].endSlot == slot.number {
      transfers[last].frames.append(frame)
    } else {
      transfers.append(SwapTransfer(firstSlot: slot, frames: [frame]))
    }
  }
}

/// How a swap-out ended (`AddressSpace.swapOut`).
public struct SwapOutResult: Sendable, Equatable {
  /// Leaves turned into swap entries.
  public var pagesUnmapped: UInt64 = 0
  /// Frames freed at once (clean copies of their slot).
  public var framesFreed: UInt64 = 0
  /// Leaves skipped because they were accessed since the last pass (their bit is now clear).
  public var recentlyUsed: UInt64 = 0
  /// Why the swap-out stopped early, if it did.
  public var stopped: Stop? = nil

  /// Why a swap-out stopped before the end of its range.
  public enum Stop: Sendable, Equatable {
    /// No free swap slot is left.
    case swapFull
    /// A page table fork shares covers the range and no frame was left for this space's copy.
    case noFrameForTable
    /// The batch holds the most pages one call prepares (`AddressSpace.swapOutBatchLimit`).
    case batchFull
  }
}
