import KernelSupport

/// The kernel's half of swapping (issue 12): it owns no pages and decides nothing about them
/// (the core does, `Sources/KernelMemory/Swap/`); it attaches the swap area the kernel found at
/// boot (`Machine.current.devices.swapDisk`) to the machine's context, moves the pages the core
/// queued with the disk, and calls the core's completions.
///
/// - **Swap-out** (`writeOut`): a batch the clock prepared (`Reclaimer.runPass`) is written
///   one transfer at a time — the calling thread sleeps in `SwapDisk.transfer`, others run —
///   then completed: the frames still unmapped are freed; on a device error they stay in
///   memory (the swap cache keeps them findable) and the error is counted and reported.
/// - **Swap-in** (`resolve`, the page trap's fourth answer): `.read` — the faulting thread
///   reads the slots into the frames the core chose and completes for its space, which maps
///   the page, then returns so the instruction retries; `.waitForRead` — another
///   thread's read of that slot is under way: sleep on `readsDone` until a read ends, then
///   retry; `.needsFrame` — a reclaim pass (or the end of the one under way), then retry. A failed read kills the faulting
///   process with SIGBUS (the core's `.swapReadError`; Linux's `VM_FAULT_SIGBUS` from
///   `do_swap_page`).
///
/// LOCK: the swap lock (the context's `swap`) around each completion, never across a transfer.
enum SwapService {
  /// The threads waiting for a swap read that another thread started. A `static let`: the
  /// queue object is created once and is machine-wide like the swap area it serves (its
  /// waiters change; LOCK: the scheduler lock, as every `WaitQueue`).
  static let readsDone = WaitQueue()

  /// Attaches the boot disk's swap area, if there is one, and prints what it adds: call
  /// before the commit limit is set (`commitLimit(ramFrames:)` then counts its slots).
  static func attach(_ physical: KernelPhysicalMemory) {
    guard let disk = Machine.current.devices.swapDisk, physical.swap == nil else { return }
    var bad: [UInt32] = []
    for slot in disk.badSlots { bad.append(UInt32(truncatingIfNeeded: slot)) }
    physical.attachSwap(slotCount: Int(disk.slotCount), badSlots: bad)
    let usable = UInt64(physical.swap!.slots.usableSlots)
    ProcessConsole.line(
      "swap: " + String(usable) + " slots (" + String(usable * PageSize.size4KiB.bytes / 1024)
        + " KiB) on the virtio disk, " + String(disk.badSlots.count) + " bad")
  }

  /// Writes every transfer of `batch` and completes it (the frames no leaf mapped again are
  /// freed). A failed transfer leaves its pages in memory; the count of failures is the
  /// swap area's `ioErrors`.
  static func writeOut(_ batch: SwapOutBatch, _ physical: KernelPhysicalMemory) {
    guard let disk = Machine.current.devices.swapDisk else {
      physical.completeSwapOut(batch, succeeded: false)
      return
    }
    for transfer in batch.transfers {
      var succeeded = true
      do throws(SwapDiskError) {
        try disk.transfer(
          .write, firstSlot: UInt64(transfer.firstSlot.number), frames: transfer.frames)
      } catch {
        succeeded = false
        ProcessConsole.line("swap: a write of " + String(transfer.frames.count) + " pages failed")
      }
      physical.completeSwapOut(transfer, succeeded: succeeded)
    }
  }

  /// Carries out the page trap's swap answer for a fault of the running space; returns nil to
  /// retry the instruction (after a read, the completion has mapped the page already), or
  /// why the process must die (`.swapReadError`: the caller sends SIGBUS).
  static func resolve(_ request: SwapFault) -> KillReason? {
    guard let physical = MemoryManager.physical, let processor = Processor.bootProcessor else {
      return nil
    }
    switch request {
    case .read(let read):
      let space = processor.space  // the faulting thread's, held across its sleep on the disk
      var succeeded = true
      if let disk = Machine.current.devices.swapDisk {
        do throws(SwapDiskError) {
          try disk.transfer(
            .read, firstSlot: UInt64(read.transfer.firstSlot.number), frames: read.transfer.frames)
        } catch { succeeded = false }
      } else {
        succeeded = false
      }
      let resolution = space.completeSwapIn(read, succeeded: succeeded)
      readsDone.wakeAll()
      if case .kill(let reason) = resolution { return reason }
      return nil
    case .waitForRead:
      _ = readsDone.wait()
      return nil
    case .needsFrame:
      // Another thread's pass may be asleep on the disk: wait for its frames, then retry.
      guard Reclaimer.runPass(physical) else {
        Reclaimer.waitForPass()
        return nil
      }
      if physical.frames.bitmap.freeFrameCount == 0 {
        Panic.halt("out of memory: a swap-in found no frame and reclaim freed none")
      }
      return nil
    }
  }

  /// Swap slots still held (0 without swap): what the end-of-launch check expects back at 0.
  static func slotsInUse(_ physical: KernelPhysicalMemory) -> Int {
    guard let swap = physical.swap else { return 0 }
    return swap.slots.usableSlots - swap.slots.freeSlots
  }

  /// The end-of-launch swap line (only with a swap area): the kernel's counters, which the
  /// system tests and `make bench-swap-compare` read.
  static func report(_ physical: KernelPhysicalMemory) {
    guard let swap = physical.swap else { return }
    ProcessConsole.line(
      "swap: " + String(swap.pagesWritten) + " pages written, " + String(swap.pagesRead)
        + " read, " + String(swap.ioErrors) + " I/O errors; " + String(physical.reclaim.passes)
        + " reclaim passes, " + String(physical.reclaim.droppedCachePages)
        + " clean cache pages dropped")
  }
}
