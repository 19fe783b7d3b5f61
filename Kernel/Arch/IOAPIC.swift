import KernelSupport

/// The I/O APIC: where the ISA interrupt lines (and, later, PCI ones) reach the local APIC
/// (Intel 82093AA I/O APIC data sheet: IOREGSEL at offset 0, IOWIN at 0x10; the redirection
/// table's entry for input n is the register pair 0x10 + 2n (low) and 0x11 + 2n (high)).
///
/// Its address is the PC's default, 0xFEC00000, which the MP and ACPI (MADT) tables of every
/// machine QEMU's `pc` emulates give; the kernel reads no ACPI table yet. An ISA IRQ n arrives
/// on input n, edge-triggered and active high — QEMU's MADT overrides only IRQ 0 (to input 2)
/// and the PCI lines — so the serial port's IRQ 4 is input 4.
///
/// LOCK: one lock for the register-select/window pair once a second CPU exists (IOREGSEL
/// selects, IOWIN then reads or writes: two CPUs interleaving would cross their accesses).
struct IOAPIC {
  static let defaultPhysicalBase: UInt64 = 0xfec0_0000
  static let registerSelect: UInt64 = 0x00
  static let registerWindow: UInt64 = 0x10
  /// IOREDTBL0's low register; entry n is at `redirectionTable + 2n`.
  static let redirectionTable: UInt32 = 0x10
  /// Redirection entry, high dword: the destination APIC ID in bits 56–63 of the entry.
  static let destinationShift: UInt32 = 24
  /// Low dword: bit 16 masks the input; delivery mode 000 (fixed), destination mode 0
  /// (physical), polarity 0 (active high), trigger mode 0 (edge) are all zero bits.
  static let masked: UInt32 = 1 << 16

  /// The virtual address of the register page.
  let registers: UInt64

  /// The machine's I/O APIC, mapped uncached.
  static func locate() -> IOAPIC {
    IOAPIC(registers: DeviceMemory.map(physical: defaultPhysicalBase))
  }

  /// Sends input `pin` (edge, active high) as `vector` to the local APIC with ID `apic`.
  func route(pin: UInt32, vector: UInt64, toAPIC apic: UInt32) {
    let entry = Self.redirectionTable + 2 * pin
    write(entry, Self.masked)  // masked while the high half changes
    write(entry + 1, apic << Self.destinationShift)
    write(entry, UInt32(truncatingIfNeeded: vector))
  }

  private func write(_ register: UInt32, _ value: UInt32) {
    device_register_write(registers + Self.registerSelect, register)
    device_register_write(registers + Self.registerWindow, value)
  }
}
