import KernelSupport

/// `test=swap-disk`: the swap disk on the real (emulated) device. Writes distinct patterns to
/// batches of slots, reads them back into other frames and compares; checks the slot limits,
/// a device error (a read past the disk's end) and that the driver works on after it; and
/// that the waits were interrupt-driven. Prints `SWAP-DISK PASS|FAIL name` per check and
/// `SWAP-DISK RESULT: N passed, M failed` (tests/system/test_virtio_swap_disk.py).
enum SwapDiskSelfTest {
  /// More pages than one request carries, so a batch is several requests in flight.
  static let batch = VirtioBlockDevice.framesPerRequest + 8
  static let contiguousRun: UInt64 = 16
  static let quadwordsPerPage = Int(PageSize.size4KiB.bytes) / MemoryLayout<UInt64>.size

  struct Tally {
    var passed = 0
    var failed = 0
    mutating func check(_ ok: Bool, _ name: String) {
      print("SWAP-DISK " + (ok ? "PASS " : "FAIL ") + name)
      if ok { passed += 1 } else { failed += 1 }
    }
  }

  static func run() -> Bool {
    EventTimer.start()  // enables the local APIC: the completion's MSI-X message is taken
    guard let disk = Machine.current.devices.swapDisk else {
      print("SWAP-DISK: no swap disk")
      print("SWAP-DISK RESULT: 0 passed, 1 failed")
      return false
    }
    let freeBefore = MemoryManager.bitmap!.freeFrameCount
    let pollsBefore = disk.device.statistics.polls
    var tally = Tally()
    tally.check(
      roundTrip(disk, firstSlot: 1, frames: singleFrames(batch)),
      "batch of " + String(batch) + " slots from slot 1")
    let last = disk.slotCount - 3
    tally.check(roundTrip(disk, firstSlot: last, frames: singleFrames(3)), "the last 3 slots")
    let run = try! MemoryManager.bitmap!.allocateContiguous(count: contiguousRun)
    let runFrames = (0..<contiguousRun).map { PhysicalFrame(number: run.number + $0) }
    tally.check(
      roundTrip(disk, firstSlot: 100, frames: runFrames, releasing: false),
      "16 contiguous frames (one descriptor)")
    try! MemoryManager.bitmap!.free(run, count: contiguousRun)
    checkLimits(disk, &tally)
    checkDeviceError(disk, &tally)
    let statistics = disk.device.statistics
    tally.check(
      statistics.interrupts > 0 && statistics.halts > 0 && statistics.polls == pollsBefore,
      "waits were interrupt-driven (no polling after boot)")
    tally.check(MemoryManager.bitmap!.freeFrameCount == freeBefore, "every frame came back")
    var line = "SWAP-DISK: " + String(statistics.requests) + " requests, "
    line += String(statistics.pages) + " pages, "
    line += String(statistics.interrupts) + " interrupts, "
    line += String(statistics.halts) + " halted waits, "
    line += String(statistics.polls) + " polls"
    print(line)
    var result = "SWAP-DISK RESULT: " + String(tally.passed) + " passed, "
    result += String(tally.failed) + " failed"
    print(result)
    return tally.failed == 0
  }

  /// Slot 0, past the end and the header's bad slots are refused before any I/O.
  static func checkLimits(_ disk: SwapDisk, _ tally: inout Tally) {
    let frames = singleFrames(2)
    defer { release(frames) }
    tally.check(
      refused(disk, .write, 0, frames) == .slotOutOfRange(0), "slot 0 (the header) refused")
    let end = disk.slotCount - 1
    tally.check(
      refused(disk, .read, end, frames) == .slotOutOfRange(end), "a transfer past the area refused")
    if let bad = disk.badSlots.first {
      tally.check(
        refused(disk, .write, bad, [frames[0]]) == .slotOutOfRange(bad),
        "bad slot " + String(bad) + " refused")
    }
  }

  /// A read past the disk's end: the device answers VIRTIO_BLK_S_IOERR, and the next
  /// transfer works (the driver survived the error).
  static func checkDeviceError(_ disk: SwapDisk, _ tally: inout Tally) {
    let frames = singleFrames(1)
    let status = disk.device.transfer(
      .read, firstSector: disk.device.capacitySectors, frames: frames)
    release(frames)
    tally.check(
      status == VirtioBlockRequest.statusIOError, "a read past the disk's end gives IOERR")
    tally.check(
      roundTrip(disk, firstSlot: 7, frames: singleFrames(2)), "transfers work after the error")
  }

  static func refused(
    _ disk: SwapDisk, _ direction: TransferDirection, _ slot: UInt64, _ frames: [PhysicalFrame]
  )
    -> SwapDiskError?
  {
    do {
      try disk.transfer(direction, firstSlot: slot, frames: frames)
      return nil
    } catch {
      return error
    }
  }

  /// Fills `frames` with patterns naming their slot, writes them to `firstSlot…`, reads the
  /// slots back into fresh frames and compares; frees the copies, and `frames` when
  /// `releasing`.
  static func roundTrip(
    _ disk: SwapDisk, firstSlot: UInt64, frames: [PhysicalFrame], releasing: Bool = true
  ) -> Bool {
    let copies = singleFrames(frames.count)
    defer {
      release(copies)
      if releasing { release(frames) }
    }
    for (index, frame) in frames.enumerated() { fill(frame, slot: firstSlot + UInt64(index)) }
    for frame in copies { DirectMap().zero(frame) }
    do {
      try disk.transfer(.write, firstSlot: firstSlot, frames: frames)
      try disk.transfer(.read, firstSlot: firstSlot, frames: copies)
    } catch {
      print("SWAP-DISK: transfer at slot " + String(firstSlot) + " failed")
      return false
    }
    for (index, frame) in copies.enumerated() where !matches(frame, slot: firstSlot + UInt64(index))
    {
      print("SWAP-DISK: slot " + String(firstSlot + UInt64(index)) + " read back different data")
      return false
    }
    return true
  }

  static func pattern(slot: UInt64, quadword: Int) -> UInt64 {
    (slot << 32) ^ UInt64(quadword) ^ 0x5a5a_0000_0000_a5a5
  }

  static func fill(_ frame: PhysicalFrame, slot: UInt64) {
    let words = DirectMap.pointer(frame.address).assumingMemoryBound(to: UInt64.self)
    for index in 0..<quadwordsPerPage { words[index] = pattern(slot: slot, quadword: index) }
  }

  static func matches(_ frame: PhysicalFrame, slot: UInt64) -> Bool {
    let words = DirectMap.pointer(frame.address).assumingMemoryBound(to: UInt64.self)
    for index in 0..<quadwordsPerPage where words[index] != pattern(slot: slot, quadword: index) {
      return false
    }
    return true
  }

  static func singleFrames(_ count: Int) -> [PhysicalFrame] {
    (0..<count).map { _ in MemoryManager.bitmap!.allocate()! }
  }

  static func release(_ frames: [PhysicalFrame]) {
    for frame in frames { try! MemoryManager.bitmap!.free(frame) }
  }
}
