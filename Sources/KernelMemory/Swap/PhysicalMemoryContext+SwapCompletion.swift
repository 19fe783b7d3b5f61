/// Phase two of swap I/O: what the kernel calls when the disk has finished a transfer the
/// core prepared (`SwapOutBatch`, `SwapFault.read`).
extension PhysicalMemoryContext {
  /// The write of `transfer` (from a `SwapOutBatch`) ended. Each frame leaves "under write";
  /// on success it is a clean copy of its slot and is freed if no leaf maps it again by now
  /// (a fault during the write may have mapped it from the cache), on failure it stays in
  /// memory as the page's only copy (`.swapDirty`, still findable through the cache; the
  /// kernel reports the error, `takeFailedWrites` retries). A slot no entry refers to any more
  /// is freed either way, and its frame with it if unmapped.
  public func completeSwapOut(_ transfer: SwapTransfer, succeeded: Bool) {
    guard let swap else { preconditionFailure("a swap completion without a swap area") }
    if !succeeded { swap.ioErrors += 1 }
    for (index, frame) in transfer.frames.enumerated() {
      let slot = transfer.slot(at: index)
      var info = frameTable[frame]
      precondition(
        info.state.contains([.swapCache, .underWrite]) && info.swapSlot == slot.number,
        "a swap write completed for a frame not under write")
      info.state.remove(.underWrite)
      if succeeded {
        info.state.remove(.swapDirty)
        swap.pagesWritten += 1
      } else {
        info.state.insert(.swapDirty)
        swap.failedWrites.append(frame)
      }
      frameTable[frame] = info
      let slotFreed = swap.slots.endIO(slot)
      if slotFreed { swap.unlink(frame, in: frameTable) }
      if frameTable[frame].mapCount == 0, slotFreed || succeeded {
        swap.unlink(frame, in: frameTable)  // a hold the cache took meanwhile goes with it
        frameTable[frame] = .unused
        releaseFrame(frame)
      }
    }
  }

  /// Every write of `batch` ended the same way (`completeSwapOut(_:succeeded:)` per transfer).
  public func completeSwapOut(_ batch: SwapOutBatch, succeeded: Bool) {
    for transfer in batch.transfers { completeSwapOut(transfer, succeeded: succeeded) }
  }

  /// The read of `read` (from a fault's `SwapFault.read`) ended. On success every frame is a
  /// clean copy of its slot in the swap cache, which the faulting space's completion then
  /// maps (`AddressSpace.completeSwapIn`, the call the kernel makes; the read-ahead ones wait
  /// for their own faults, marked `.readAhead`, and `dropReadAhead` frees them under
  /// pressure); a slot whose last entry went during the read is freed with its frame. On
  /// failure the frames are freed and the leaves keep their swap entries: the kernel kills
  /// the faulting process with SIGBUS (Linux's `VM_FAULT_SIGBUS` from `do_swap_page`), and
  /// another process faulting on the page reads it again.
  public func completeSwapIn(_ read: SwapRead, succeeded: Bool) {
    guard let swap else { preconditionFailure("a swap completion without a swap area") }
    if !succeeded { swap.ioErrors += 1 }
    for (index, frame) in read.transfer.frames.enumerated() {
      let slot = read.transfer.slot(at: index)
      precondition(
        frameTable[frame].state.contains([.swapCache, .underRead])
          && frameTable[frame].swapSlot == slot.number,
        "a swap read completed for a frame not under read")
      let slotFreed = swap.slots.endIO(slot)
      guard succeeded, !slotFreed else {
        swap.unlink(frame, in: frameTable)
        frameTable[frame] = .unused
        releaseFrame(frame)
        continue
      }
      frameTable[frame].state.remove(.underRead)
      swap.pagesRead += 1
      guard index > 0 else { continue }
      frameTable[frame].state.insert(.readAhead)
      swap.readAheadPages += 1
      if swap.readAheadCount >= SwapArea.readAheadLimit { dropReadAhead(limit: 1) }
      swap.rememberReadAhead(frame)
    }
  }

  /// Adds to `batch` the frames whose write failed and that no leaf maps (each under write
  /// again): the retry of earlier device errors. Returns how many were added.
  @discardableResult
  public func takeFailedWrites(into batch: inout SwapOutBatch) -> Int {
    guard let swap else { return 0 }
    var added = 0
    var kept: [PhysicalFrame] = []
    for frame in swap.failedWrites {
      let info = frameTable[frame]
      guard info.state.contains([.swapCache, .swapDirty]) else { continue }
      guard info.mapCount == 0, !info.state.contains(.underWrite) else {
        kept.append(frame)
        continue
      }
      let slot = SwapSlot(number: info.swapSlot)
      swap.slots.beginIO(slot)
      frameTable[frame].state.insert(.underWrite)
      batch.add(frame, to: slot)
      added += 1
    }
    swap.failedWrites = kept
    return added
  }

  /// Frees up to `limit` frames read ahead that no fault has mapped (clean copies of their
  /// slots: the data stays on swap), oldest first. Returns how many were freed.
  @discardableResult
  public func dropReadAhead(limit: Int) -> Int {
    guard let swap else { return 0 }
    var freed = 0
    while freed < limit, let frame = swap.takeOldestReadAhead() {
      let info = frameTable[frame]
      guard info.state.contains(.swapCache), info.mapCount == 0,
        info.state.isDisjoint(with: .keptBySwap)
      else { continue }
      swap.unlink(frame, in: frameTable)
      frameTable[frame] = .unused
      releaseFrame(frame)
      freed += 1
    }
    return freed
  }
}

extension SwapArea {
  /// The most read-ahead frames remembered; older ones are freed when more arrive, so the
  /// list (on the kernel heap) stays bounded.
  static let readAheadLimit = 4096

  /// Remembers a frame read ahead (`dropReadAhead` frees it if still unmapped).
  func rememberReadAhead(_ frame: PhysicalFrame) {
    if readAheadStart > readAhead.count / 2, readAheadStart > 0 {
      readAhead.removeFirst(readAheadStart)
      readAheadStart = 0
    }
    readAhead.append(frame)
  }

  /// The oldest frame read ahead, if any (it may have been mapped or freed since).
  func takeOldestReadAhead() -> PhysicalFrame? {
    guard readAheadStart < readAhead.count else { return nil }
    let frame = readAhead[readAheadStart]
    readAheadStart += 1
    return frame
  }

  /// Frames read ahead and remembered now (some may be mapped or freed since).
  var readAheadCount: Int { readAhead.count - readAheadStart }
}
