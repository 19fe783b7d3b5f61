/// Why a swap transfer failed. The pages involved are still in their frames: on a write the
/// caller keeps them in memory, on a read it must not map them.
enum SwapDiskError: Error, Equatable {
  /// The device answered a request with a status other than `VIRTIO_BLK_S_OK`
  /// (`VirtioBlockRequest.statusIOError`, `.statusUnsupported`).
  case deviceError(status: UInt8)
  /// A slot outside 1…slotCount−1 (slot 0 is the header), or a bad slot.
  case slotOutOfRange(UInt64)
  /// A write to a disk the device says is read-only.
  case readOnly
}

/// The swap area the kernel found at boot: a virtio-blk disk whose first page carries Linux's
/// swap header (`SwapHeader`, as `mkswap` writes it). Slot *n* is the disk's page *n*; slot 0
/// is the header, the header's bad pages are never to be used, so the usable slots are
/// 1…`slotCount − 1` without `badSlots`.
///
/// `transfer` moves frames to or from consecutive slots and returns when the device has
/// finished: the calling thread sleeps meanwhile (`VirtioBlockDevice.awaitCompletion`). Frames
/// go in requests of up to `VirtioBlockDevice.framesPerRequest` (contiguous frames share a descriptor), all
/// submitted before the first is waited for, so one call of many pages costs a few
/// interrupts. It lives on `Machine.current.devices.swapDisk`.
///
/// LOCK: the disk's queue lock (`VirtioBlockDevice`); the header fields are immutable.
final class SwapDisk {
  let device: VirtioBlockDevice
  let header: SwapHeader
  /// The header's bad pages, sorted (binary search in `transfer`).
  let badSlots: [UInt64]
  static let sectorsPerSlot = VirtioBlockRequest.sectorsPerPage

  /// Slots the area has, slot 0 (the header) included.
  var slotCount: UInt64 { header.slotCount }

  init(device: VirtioBlockDevice, header: SwapHeader) {
    self.device = device
    self.header = header
    badSlots = header.badPages.map { UInt64($0) }.sorted()
  }

  /// Moves `frames` from (`.read`) or to (`.write`) slots `firstSlot`, `firstSlot + 1`, … and
  /// returns once the device has finished with all of them. On a device error every request
  /// is still waited for (the device owns the frames until it answers), then the first error
  /// is thrown.
  func transfer(_ direction: TransferDirection, firstSlot: UInt64, frames: [PhysicalFrame])
    throws(SwapDiskError)
  {
    guard !frames.isEmpty else { return }
    if direction == .write, device.readOnly { throw .readOnly }
    let end = firstSlot + UInt64(frames.count)
    guard firstSlot >= 1, end <= slotCount else { throw .slotOutOfRange(firstSlot) }
    if let bad = firstBadSlot(in: firstSlot..<end) { throw .slotOutOfRange(bad) }
    if let status = device.transfer(
      direction, firstSector: firstSlot * Self.sectorsPerSlot, frames: frames)
    {
      throw .deviceError(status: status)
    }
  }

  /// The first bad slot in `slots`, if any.
  func firstBadSlot(in slots: Range<UInt64>) -> UInt64? {
    var low = 0
    var high = badSlots.count
    while low < high {
      let middle = (low + high) / 2
      if badSlots[middle] < slots.lowerBound { low = middle + 1 } else { high = middle }
    }
    return low < badSlots.count && badSlots[low] < slots.upperBound ? badSlots[low] : nil
  }
}
