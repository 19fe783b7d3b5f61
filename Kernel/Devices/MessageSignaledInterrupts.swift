import KernelSupport

/// MSI-X (PCI 3.0 §6.8.2): the device raises an interrupt by writing a message — an address
/// and a data word the kernel chose — which on x86 is an interrupt straight to a local APIC
/// with the vector in the data (SDM Vol. 3A §11.11, "Message Signalled Interrupts").
///
/// Why MSI-X and not the legacy INTx line: QEMU's virtio-pci devices offer MSI-X (not plain
/// MSI), and with it a vector of the kernel's own choosing reaches the CPU with no I/O APIC to
/// program, no ACPI table to read for the line's routing, no sharing with other devices and no
/// ISR register to read (and so clear) in the handler; INTx would need all of those.
struct MessageSignaledInterrupts {
  static let capabilityID: UInt8 = 0x11
  /// Message Control (+2): table size − 1 [10:0], function mask [14], MSI-X enable [15].
  static let messageControlOffset: UInt8 = 2
  static let tableSizeMask: UInt16 = 0x7ff
  static let functionMask: UInt16 = 1 << 14
  static let enable: UInt16 = 1 << 15
  /// Table Offset/BIR (+4): which BAR holds the table [2:0], its offset in it [31:3].
  static let tableLocationOffset: UInt8 = 4
  static let barIndicatorMask: UInt32 = 0b111
  /// A table entry: message address low, high, data, vector control (mask [0]).
  static let entrySize: UInt64 = 16
  static let entryDataOffset: UInt64 = 8
  static let entryControlOffset: UInt64 = 12
  static let entryMasked: UInt32 = 1
  /// The x86 message address: 0xFEE in [31:20], destination APIC ID in [19:12]; physical
  /// destination mode, no redirection hint. The data: the vector [7:0], fixed delivery, edge.
  static let messageAddressBase: UInt32 = 0xfee0_0000
  static let destinationShift: UInt32 = 12

  let function: PCIFunction
  let capability: UInt8
  /// The table's virtual address (its page mapped uncached by `DeviceMemory`).
  let table: UInt64
  let tableSize: Int

  /// The function's MSI-X capability with its table mapped, or nil when it has none or the
  /// table's BAR is not a memory BAR.
  static func locate(_ function: PCIFunction) -> MessageSignaledInterrupts? {
    guard let capability = function.capability(capabilityID) else { return nil }
    let control = PCIConfiguration.read16(function.address, capability + messageControlOffset)
    let location = PCIConfiguration.read32(function.address, capability + tableLocationOffset)
    guard case .memory(let base) = function.baseAddress(Int(location & barIndicatorMask)) else {
      return nil
    }
    let physical = base + UInt64(location & ~barIndicatorMask)
    let page = physical & ~PageSize.size4KiB.offsetMask
    let virtual = DeviceMemory.map(physical: page) + (physical - page)
    return MessageSignaledInterrupts(
      function: function, capability: capability, table: virtual,
      tableSize: Int(control & tableSizeMask) + 1)
  }

  /// Points table entry `entry` at `vector` on the local APIC `destination` and unmasks it,
  /// then enables MSI-X for the function (its INTx line is off from then on, PCI 3.0 §6.8.2).
  func route(entry: Int, to vector: UInt64, destination: UInt32) {
    precondition(entry < tableSize, "MSI-X entry beyond the table")
    let address = table + UInt64(entry) * Self.entrySize
    device_register_write(address, Self.messageAddressBase | destination << Self.destinationShift)
    device_register_write(address + 4, 0)
    device_register_write(address + Self.entryDataOffset, UInt32(vector))
    device_register_write(address + Self.entryControlOffset, 0)
    let controlOffset = capability + Self.messageControlOffset
    let control = PCIConfiguration.read16(function.address, controlOffset)
    PCIConfiguration.write16(
      function.address, controlOffset, (control | Self.enable) & ~Self.functionMask)
  }
}
