/// Address ranges for the base address registers the firmware left unassigned.
///
/// QEMU's minimal firmware qboot (what tools/qemu-run and tools/run-linux boot with) leaves
/// every BAR of every device at 0 — Linux assigns them itself (`pci_assign_unassigned_resources`)
/// — while SeaBIOS assigns them all. So a BAR reading 0 gets a range here: I/O ports from
/// `ioWindow`, memory from `memoryWindow`, each aligned to its own size (a BAR's size is a
/// power of two and its address a multiple of it, PCI 3.0 §6.2.5.1). A BAR the firmware set is
/// kept as it is.
///
/// The windows are the `pc` machine's: ports 0xC000–0xFFFF are free of the ISA devices below
/// them (and what SeaBIOS uses too); memory from 0xE000_0000 up to the I/O APIC at 0xFEC0_0000
/// is the i440FX's PCI hole whatever the RAM size (QEMU caps RAM below 4 GiB at 3.5 GiB).
///
/// One value per boot's discovery (not kept): LOCK: none, it is local to `SwapDisk.discover`.
struct PCIResources {
  static let ioWindow: Range<UInt64> = 0xc000..<0x1_0000
  static let memoryWindow: Range<UInt64> = 0xe000_0000..<0xfec0_0000
  var nextPort = ioWindow.lowerBound
  var nextMemory = memoryWindow.lowerBound

  /// All-ones written to a BAR reads back its size mask (PCI 3.0 §6.2.5.1).
  static let sizingPattern: UInt32 = 0xffff_ffff
  /// I/O BARs decode 16 bits of port address on x86.
  static let ioAddressBits: UInt32 = 0xffff

  /// Gives every implemented, unassigned BAR of `function` a range, with decoding off while
  /// it is sized. Returns false when a window ran out (the function is then not used).
  mutating func assign(_ function: PCIFunction) -> Bool {
    let command = PCIConfiguration.read16(function.address, PCIConfiguration.command)
    PCIConfiguration.write16(
      function.address, PCIConfiguration.command,
      command & ~(PCIConfiguration.ioSpaceEnable | PCIConfiguration.memorySpaceEnable))
    defer { PCIConfiguration.write16(function.address, PCIConfiguration.command, command) }
    var index = 0
    while index < PCIFunction.baseAddressCount {
      let offset = PCIConfiguration.firstBaseAddress + UInt8(index) * PCIFunction.baseAddressSize
      let original = PCIConfiguration.read32(function.address, offset)
      let wide = original & PCIFunction.barIOSpace == 0
        && original & PCIFunction.barTypeMask == PCIFunction.barType64
      defer { index += wide ? 2 : 1 }
      guard function.baseAddress(index) == .unassigned else { continue }
      PCIConfiguration.write32(function.address, offset, Self.sizingPattern)
      let mask = PCIConfiguration.read32(function.address, offset)
      PCIConfiguration.write32(function.address, offset, original)
      if original & PCIFunction.barIOSpace != 0 {
        let bits = mask & PCIFunction.barIOAddressMask & Self.ioAddressBits
        guard bits != 0 else { continue }
        let size = UInt64((~bits & Self.ioAddressBits) + 1)
        guard let port = Self.take(size, from: &nextPort, in: Self.ioWindow) else { return false }
        PCIConfiguration.write32(function.address, offset, UInt32(port) | PCIFunction.barIOSpace)
      } else {
        let bits = mask & PCIFunction.barMemoryAddressMask
        guard bits != 0 else { continue }
        let size = UInt64(~bits) + 1
        guard let base = Self.take(size, from: &nextMemory, in: Self.memoryWindow) else {
          return false
        }
        PCIConfiguration.write32(function.address, offset, UInt32(base) | (original & ~PCIFunction.barMemoryAddressMask))
        if wide { PCIConfiguration.write32(function.address, offset + PCIFunction.baseAddressSize, 0) }
      }
    }
    return true
  }

  /// The next `size`-aligned range of `size` from `next` inside `window`, or nil.
  static func take(_ size: UInt64, from next: inout UInt64, in window: Range<UInt64>) -> UInt64? {
    let start = (next + size - 1) & ~(size - 1)
    guard start + size <= window.upperBound else { return nil }
    next = start + size
    return start
  }
}
