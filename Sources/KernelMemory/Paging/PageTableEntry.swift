/// One 64-bit entry of a page table at any level.
///
/// The layout: flags in bits 0–8 and 63, the physical frame in bits 12–51. In a huge-page entry
/// bit 12 is PAT, so a huge entry's frame is 2 MiB/1 GiB aligned and masks the low bits.
public struct PageTableEntry: Hashable, Sendable, CustomStringConvertible {
  /// The raw 64-bit value the CPU reads.
  public var rawValue: UInt64

  /// Bits 12–51: the physical address of the next table or of the page.
  public static let addressMask: UInt64 = 0x000f_ffff_ffff_f000

  /// The empty (not present) entry.
  public static let empty = PageTableEntry(rawValue: 0)

  @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// An entry pointing at `frame` with `flags`.
  @inlinable public init(frame: PhysicalFrame, flags: PageTableFlags) {
    rawValue = (frame.number << 12) | flags.rawValue
  }

  /// The flag bits.
  @inlinable public var flags: PageTableFlags {
    PageTableFlags(rawValue: rawValue & PageTableFlags.all.rawValue)
  }

  /// Whether the present bit is set.
  @inlinable public var isPresent: Bool { rawValue & PageTableFlags.present.rawValue != 0 }

  /// Whether the entry is all zero (never used, or cleared).
  @inlinable public var isUnused: Bool { rawValue == 0 }

  /// Whether, at a PD or PDPT level, the entry maps a page instead of pointing to a table.
  @inlinable public var isHuge: Bool { rawValue & PageTableFlags.huge.rawValue != 0 }

  /// The physical address in the entry, for a 4 KiB page or a table.
  @inlinable public var address: PhysicalAddress {
    PhysicalAddress(unchecked: rawValue & PageTableEntry.addressMask)
  }

  /// The physical address of a huge page of `size` (bit 12 is PAT there, not address).
  @inlinable public func hugePageAddress(_ size: PageSize) -> PhysicalAddress {
    PhysicalAddress(unchecked: rawValue & PageTableEntry.addressMask & ~size.offsetMask)
  }

  /// The frame in the entry (table or 4 KiB page).
  @inlinable public var frame: PhysicalFrame { address.frame }

  /// The lowest of bits 52–61, which the CPU ignores in an entry that points to a table.
  public static let occupancyShift: UInt64 = 52
  /// Bits 52–61: room for 0…512.
  public static let occupancyMask: UInt64 = 0x3ff << occupancyShift

  /// In an entry that points to a table: how many entries of that table are in use.
  ///
  /// `PageMap` keeps this count so that an unmap knows in O(1) whether a table became empty,
  /// instead of scanning 512 entries. The CPU ignores these bits in non-leaf entries (Intel SDM
  /// Vol. 3A, tables 4-15 to 4-18), and sets only Accessed there, so the count is never disturbed.
  @inlinable public var occupancy: Int {
    get {
      Int(
        truncatingIfNeeded: (rawValue & PageTableEntry.occupancyMask)
          >> PageTableEntry.occupancyShift)
    }
    set {
      precondition(newValue >= 0 && newValue <= pageTableEntryCount, "table occupancy out of range")
      rawValue =
        rawValue & ~PageTableEntry.occupancyMask
        | UInt64(truncatingIfNeeded: newValue) << PageTableEntry.occupancyShift
    }
  }

  public var description: String {
    isUnused ? "empty" : hex(rawValue) + " (" + address.description + " " + flags.description + ")"
  }
}
