/// What the firmware says a range of physical addresses holds.
///
/// Only `.usable` RAM is ever handed out. ACPI-reclaimable memory still holds the ACPI tables the
/// kernel may read, so it stays reserved here; once the kernel is done with them it can hand the
/// range back in a later map as usable. The raw values are the Multiboot / E820 type numbers.
public enum MemoryRegionKind: UInt32, Sendable, CaseIterable, CustomStringConvertible {
  /// RAM the kernel may allocate.
  case usable = 1
  /// Firmware, MMIO or anything else the firmware says to leave alone.
  case reserved = 2
  /// ACPI tables: readable now, reclaimable once parsed.
  case acpiReclaimable = 3
  /// ACPI non-volatile storage: must be preserved across sleep states.
  case acpiNonVolatile = 4
  /// RAM the firmware found defective.
  case badMemory = 5

  /// Reads a firmware type number; unknown numbers mean reserved, the only safe reading.
  @inlinable public init(firmwareType: UInt32) {
    self = MemoryRegionKind(rawValue: firmwareType) ?? .reserved
  }

  /// Whether frames of this kind may be handed out.
  @inlinable public var isUsable: Bool { self == .usable }

  public var description: String {
    switch self {
    case .usable: return "usable"
    case .reserved: return "reserved"
    case .acpiReclaimable: return "ACPI reclaimable"
    case .acpiNonVolatile: return "ACPI NVS"
    case .badMemory: return "bad memory"
    }
  }
}
