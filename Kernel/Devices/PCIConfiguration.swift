import KernelSupport

/// A PCI function's place: bus, device (0–31), function (0–7).
struct PCIAddress: Equatable {
  let bus: UInt8
  let device: UInt8
  let function: UInt8

  /// `BB:DD.F`, as `lspci` prints it.
  var description: String {
    String(hexPadded(UInt64(bus), digits: 2).dropFirst(2)) + ":"
      + String(hexPadded(UInt64(device), digits: 2).dropFirst(2)) + "." + String(function)
  }
}

/// PCI configuration space through configuration mechanism #1, the one QEMU's i440FX and Q35
/// host bridges offer (PCI Local Bus Specification 3.0 §3.2.2.3.2): a write to CONFIG_ADDRESS
/// (port 0xCF8) selects a function's dword, CONFIG_DATA (0xCFC–0xCFF) reads or writes it.
/// Every configuration access of the kernel goes through here.
///
/// LOCK: the PCI configuration lock (Linux's `pci_config_lock`): the address write and the data
/// access are two steps that another CPU must not interleave.
enum PCIConfiguration {
  static let configAddressPort: UInt16 = 0xcf8
  static let configDataPort: UInt16 = 0xcfc
  /// CONFIG_ADDRESS: enable [31], bus [23:16], device [15:11], function [10:8], register
  /// [7:2] (dword-aligned offset).
  static let enableBit: UInt32 = 1 << 31
  static let busShift: UInt32 = 16
  static let deviceShift: UInt32 = 11
  static let functionShift: UInt32 = 8
  static let registerMask: UInt32 = 0xfc

  /// Header fields every function has (PCI 3.0 §6.1, "Configuration Space Organization").
  static let vendorID: UInt8 = 0x00
  static let deviceID: UInt8 = 0x02
  static let command: UInt8 = 0x04
  static let status: UInt8 = 0x06
  static let classCode: UInt8 = 0x08
  static let headerType: UInt8 = 0x0e
  static let firstBaseAddress: UInt8 = 0x10
  static let subsystemID: UInt8 = 0x2e
  static let capabilitiesPointer: UInt8 = 0x34
  static let interruptLine: UInt8 = 0x3c
  static let interruptPin: UInt8 = 0x3d

  /// No function answers: the bus reads all ones.
  static let absentVendor: UInt16 = 0xffff
  /// Header type [7]: the device has functions 1–7 too; [6:0] 0 is a plain device, 1 a
  /// PCI-to-PCI bridge.
  static let multiFunction: UInt8 = 0x80
  static let headerLayoutMask: UInt8 = 0x7f
  /// Command register: I/O space [0], memory space [1], bus master [2] (the device may DMA),
  /// INTx disable [10].
  static let ioSpaceEnable: UInt16 = 1 << 0
  static let memorySpaceEnable: UInt16 = 1 << 1
  static let busMasterEnable: UInt16 = 1 << 2
  static let interruptDisable: UInt16 = 1 << 10
  /// Status register: capabilities list present [4].
  static let hasCapabilities: UInt16 = 1 << 4

  static func select(_ address: PCIAddress, _ offset: UInt8) {
    port_write_dword(
      configAddressPort,
      enableBit | UInt32(address.bus) << busShift | UInt32(address.device) << deviceShift
        | UInt32(address.function) << functionShift | UInt32(offset) & registerMask)
  }

  static func read32(_ address: PCIAddress, _ offset: UInt8) -> UInt32 {
    select(address, offset)
    return port_read_dword(configDataPort)
  }

  static func write32(_ address: PCIAddress, _ offset: UInt8, _ value: UInt32) {
    select(address, offset)
    port_write_dword(configDataPort, value)
  }

  /// A 16-bit field (`offset` even): the data port's matching half.
  static func read16(_ address: PCIAddress, _ offset: UInt8) -> UInt16 {
    select(address, offset)
    return port_read_word(configDataPort + UInt16(offset & 2))
  }

  static func write16(_ address: PCIAddress, _ offset: UInt8, _ value: UInt16) {
    select(address, offset)
    port_write_word(configDataPort + UInt16(offset & 2), value)
  }

  static func read8(_ address: PCIAddress, _ offset: UInt8) -> UInt8 {
    select(address, offset)
    return port_read_byte(configDataPort + UInt16(offset & 3))
  }
}
