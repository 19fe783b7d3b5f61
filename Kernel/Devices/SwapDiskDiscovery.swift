extension SwapDisk {
  /// Looks for a virtio-blk disk among `functions` (PCI bus 0's), starts it and reads its first
  /// page (polled: the local APIC is not enabled yet at boot); returns the swap area when that
  /// page is a valid Linux swap header. One boot line says what was found, or why a disk is not
  /// used.
  static func discover(among functions: [PCIFunction]) -> SwapDisk? {
    if functions.contains(where: {
      $0.vendorID == VirtioBlockDevice.vendorID
        && $0.deviceID == VirtioBlockDevice.modernBlockDeviceID
    }) {
      ProcessConsole.line(
        "swap: a modern-only virtio-blk disk (disable-legacy=on) is not supported")
    }
    guard
      let function = functions.first(where: {
        $0.vendorID == VirtioBlockDevice.vendorID
          && $0.deviceID == VirtioBlockDevice.transitionalBlockDeviceID
      })
    else { return nil }
    let name = "virtio-blk " + function.address.description
    var resources = PCIResources()
    guard resources.assign(function) else {
      ProcessConsole.line("swap: " + name + " not used: no room for its BARs in the PCI windows")
      return nil
    }
    let device: VirtioBlockDevice
    do {
      device = try VirtioBlockDevice.start(function)
    } catch {
      ProcessConsole.line("swap: " + name + " not used: " + error.reason)
      return nil
    }
    let size = byteSize(device.capacitySectors * VirtioBlockRequest.sectorSize)
    switch readHeader(device) {
    case .success(let header):
      let disk = SwapDisk(device: device, header: header)
      ProcessConsole.line("swap: " + name + ", " + disk.description)
      return disk
    case .failure(let reason):
      var text = "swap: " + name
      text += " (" + size + ") not used as swap: " + reason.reason
      ProcessConsole.line(text)
      return nil
    }
  }

  /// The disk's first page as a swap header, or why it is none.
  private static func readHeader(_ device: VirtioBlockDevice) -> Result<SwapHeader, HeaderRefusal> {
    let capacityPages = device.capacitySectors / sectorsPerSlot
    guard capacityPages > 0 else {
      return .failure(HeaderRefusal("the disk is smaller than a page"))
    }
    guard let frame = MemoryManager.bitmap!.allocate() else {
      return .failure(HeaderRefusal("no frame to read the header into"))
    }
    defer { try? MemoryManager.bitmap!.free(frame) }
    if let status = device.transfer(.read, firstSector: 0, frames: [frame]) {
      return .failure(
        HeaderRefusal("reading its first page failed (status " + String(status) + ")"))
    }
    let page = UnsafeRawBufferPointer(
      start: DirectMap.pointer(frame.address), count: SwapHeader.pageSize)
    do {
      return .success(try SwapHeader(page: page, capacityPages: capacityPages))
    } catch {
      return .failure(HeaderRefusal(error.reason))
    }
  }

  /// The boot line's description: size, slots, label, UUID, the queue and its interrupt.
  var description: String {
    var text = byteSize(slotCount * PageSize.size4KiB.bytes) + " swap area, "
    text += String(slotCount) + " slots (" + String(header.usableSlotCount) + " usable, "
    text += String(badSlots.count) + " bad)"
    text += header.label.isEmpty ? ", no label" : ", label \"" + header.labelText + "\""
    text += ", UUID " + header.uuidText
    text += ", queue of " + String(device.queue.layout.queueSize) + ", MSI-X vector "
    text += hex(InterruptVector.blockDevice)
    if header.byteSwapped { text += ", byte-swapped header" }
    if device.readOnly { text += ", read-only" }
    return text
  }
}

/// A reason the first page is no swap header (for the boot line).
struct HeaderRefusal: Error {
  let reason: String
  init(_ reason: String) { self.reason = reason }
}
