/// One PCI function found on the bus: its identity, its base address registers and its
/// capabilities (read through `PCIConfiguration`).
struct PCIFunction {
  let address: PCIAddress
  let vendorID: UInt16
  let deviceID: UInt16
  let subsystemID: UInt16

  /// What a base address register decodes: a range of I/O ports or of physical memory.
  enum BaseAddress: Equatable {
    case ioPorts(UInt16)
    case memory(UInt64)
    /// Not implemented by the device, or not assigned by the firmware.
    case unassigned
  }

  /// BAR [0]: 1 = I/O space (address [31:2]); 0 = memory, type [2:1] (00 32-bit, 10 64-bit,
  /// taking the next BAR as its upper half), address [31:4] (PCI 3.0 §6.2.5.1).
  static let barIOSpace: UInt32 = 1
  static let barTypeMask: UInt32 = 0b110
  static let barType64: UInt32 = 0b100
  static let barIOAddressMask: UInt32 = ~0b11
  static let barMemoryAddressMask: UInt32 = ~0b1111
  static let baseAddressCount = 6
  static let baseAddressSize: UInt8 = 4

  /// Base address register `index` (0–5).
  func baseAddress(_ index: Int) -> BaseAddress {
    let offset = PCIConfiguration.firstBaseAddress + UInt8(index) * Self.baseAddressSize
    let low = PCIConfiguration.read32(address, offset)
    if low & Self.barIOSpace != 0 {
      let port = low & Self.barIOAddressMask
      return port == 0 ? .unassigned : .ioPorts(UInt16(truncatingIfNeeded: port))
    }
    var base = UInt64(low & Self.barMemoryAddressMask)
    if low & Self.barTypeMask == Self.barType64, index + 1 < Self.baseAddressCount {
      base |= UInt64(PCIConfiguration.read32(address, offset + Self.baseAddressSize)) << 32
    }
    return base == 0 ? .unassigned : .memory(base)
  }

  /// Sets bits of the command register (decoding, bus mastering, INTx off).
  func enable(_ bits: UInt16) {
    let command = PCIConfiguration.read16(address, PCIConfiguration.command)
    PCIConfiguration.write16(address, PCIConfiguration.command, command | bits)
  }

  /// The offset of the first capability with `identifier` (PCI 3.0 §6.7: a list linked from
  /// the capabilities pointer, each entry's ID at +0 and next pointer at +1), or nil.
  func capability(_ identifier: UInt8) -> UInt8? {
    let status = PCIConfiguration.read16(address, PCIConfiguration.status)
    guard status & PCIConfiguration.hasCapabilities != 0 else { return nil }
    var offset = PCIConfiguration.read8(address, PCIConfiguration.capabilitiesPointer) & Self.pointerMask
    // The list lives in the 192 bytes after the header: a longer walk is a looped list.
    var steps = 0
    while offset != 0, steps < Self.capabilityLimit {
      if PCIConfiguration.read8(address, offset) == identifier { return offset }
      offset = PCIConfiguration.read8(address, offset + 1) & Self.pointerMask
      steps += 1
    }
    return nil
  }

  /// Capability pointers are dword-aligned (the low two bits are reserved).
  static let pointerMask: UInt8 = 0xfc
  /// At most (256 - 64) / 4 capabilities fit in configuration space.
  static let capabilityLimit = 48
}

/// Bus 0's functions, found by reading every device's vendor ID (PCI 3.0 §6.1: 0xFFFF from an
/// absent function). QEMU's `pc` and `q35` machines put every device on bus 0 unless told to
/// add a bridge, so bridges are listed but not walked behind.
enum PCIBus {
  static let devicesPerBus: UInt8 = 32
  static let functionsPerDevice: UInt8 = 8

  /// Every function on bus 0, in address order.
  static func enumerateRootBus() -> [PCIFunction] {
    var found: [PCIFunction] = []
    for device in 0..<devicesPerBus {
      for function in 0..<functionsPerDevice {
        let address = PCIAddress(bus: 0, device: device, function: function)
        let vendor = PCIConfiguration.read16(address, PCIConfiguration.vendorID)
        if vendor == PCIConfiguration.absentVendor {
          if function == 0 { break }
          continue
        }
        found.append(
          PCIFunction(
            address: address, vendorID: vendor,
            deviceID: PCIConfiguration.read16(address, PCIConfiguration.deviceID),
            subsystemID: PCIConfiguration.read16(address, PCIConfiguration.subsystemID)))
        let header = PCIConfiguration.read8(address, PCIConfiguration.headerType)
        if function == 0, header & PCIConfiguration.multiFunction == 0 { break }
      }
    }
    return found
  }
}
