import KernelMemory

/// The control-register bits that change how the CPU translates and checks addresses.
///
/// The defaults are what this kernel enables at boot (see the architecture guide): every
/// protection on, so a test against the emulated MMU is at least as strict as the real machine.
public struct PagingFeatures: Hashable, Sendable {
  /// CR0.WP: supervisor writes honour read-only pages.
  public var writeProtect = true
  /// EFER.NXE: bit 63 of an entry means no-execute; when off, bit 63 is reserved.
  public var noExecuteEnable = true
  /// CR4.SMEP: the kernel may not fetch instructions from user pages.
  public var supervisorModeExecutionPrevention = true
  /// CR4.SMAP: the kernel may not read or write user pages unless EFLAGS.AC is set.
  public var supervisorModeAccessPrevention = true
  /// CR4.PGE: the G bit keeps a translation cached across CR3 reloads.
  public var globalPages = true
  /// MAXPHYADDR: physical-address width; entry address bits at and above it are reserved.
  public var physicalAddressBits: UInt64 = PhysicalAddress.maximumBits

  /// The narrowest MAXPHYADDR any x86_64 processor reports.
  public static let smallestPhysicalAddressBits: UInt64 = 36

  /// Every protection enabled, 52-bit physical addresses.
  public init() {}

  /// The entry bits 51 down to MAXPHYADDR, which must be zero in a present entry.
  var physicalAddressReservedMask: UInt64 {
    precondition(
      (Self.smallestPhysicalAddressBits...PhysicalAddress.maximumBits).contains(
        physicalAddressBits),
      "x86_64 MAXPHYADDR lies between 36 and 52 bits")
    let belowLimit: UInt64 = (1 << physicalAddressBits) &- 1
    return PageTableEntry.addressMask & ~belowLimit
  }
}
