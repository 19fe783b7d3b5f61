import KernelSupport

/// The 8259A PIC pair. Its power-on vectors (8–15) collide with CPU exceptions, and this kernel
/// takes no interrupt through it (its one interrupt source is the local APIC timer,
/// `LocalAPIC`), so both chips are masked completely (OCW1 = all bits set); the local APIC's
/// LINT0, the PIC's way in, is masked as well.
enum LegacyInterruptController {
  static let primaryDataPort: UInt16 = 0x21
  static let secondaryDataPort: UInt16 = 0xa1
  static let maskAll: UInt8 = 0xff

  /// Masks every IRQ line.
  static func maskAllLines() {
    port_write_byte(primaryDataPort, maskAll)
    port_write_byte(secondaryDataPort, maskAll)
  }
}
