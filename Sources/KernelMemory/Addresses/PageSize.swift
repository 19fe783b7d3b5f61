/// The three page sizes of x86_64 4-level paging.
///
/// A 4 KiB page is mapped by a page-table (PT) entry, a 2 MiB page by a page-directory (PD) entry
/// with the page-size bit, and a 1 GiB page by a PDPT entry with the page-size bit.
public enum PageSize: UInt64, Sendable, CaseIterable, CustomStringConvertible {
  case size4KiB = 0x1000
  case size2MiB = 0x20_0000
  case size1GiB = 0x4000_0000

  /// The size in bytes.
  @inlinable public var bytes: UInt64 { rawValue }

  /// `bytes - 1`: the bits of an address that are the offset inside such a page.
  @inlinable public var offsetMask: UInt64 { rawValue &- 1 }

  /// log2 of the size: 12, 21 or 30.
  @inlinable public var shift: UInt64 { UInt64(rawValue.trailingZeroBitCount) }

  /// How many 4 KiB frames one page of this size covers.
  @inlinable public var frameCount: UInt64 { rawValue >> 12 }

  /// The table level whose entry maps a page of this size.
  @inlinable public var leafLevel: PageTableLevel {
    switch self {
    case .size4KiB: return .pageTable
    case .size2MiB: return .pageDirectory
    case .size1GiB: return .pageDirectoryPointerTable
    }
  }

  public var description: String {
    switch self {
    case .size4KiB: return "4 KiB"
    case .size2MiB: return "2 MiB"
    case .size1GiB: return "1 GiB"
    }
  }
}

/// The four levels of the x86_64 page-table tree, from the root down.
public enum PageTableLevel: Int, Sendable, CaseIterable, CustomStringConvertible {
  /// Level 4, the root that CR3 points to. Each entry covers 512 GiB.
  case pml4 = 4
  /// Level 3. Each entry covers 1 GiB (or maps a 1 GiB page).
  case pageDirectoryPointerTable = 3
  /// Level 2. Each entry covers 2 MiB (or maps a 2 MiB page).
  case pageDirectory = 2
  /// Level 1. Each entry maps one 4 KiB page.
  case pageTable = 1

  /// The lowest virtual-address bit of this level's 9-bit index: 39, 30, 21 or 12.
  @inlinable public var indexShift: UInt64 { UInt64(12 + 9 * (rawValue - 1)) }

  /// The bytes of virtual address space one entry of this level covers.
  @inlinable public var entryCoverage: UInt64 { 1 << indexShift }

  /// The level below, or nil for the page table.
  @inlinable public var next: PageTableLevel? { PageTableLevel(rawValue: rawValue - 1) }

  /// Whether an entry at this level may map a page directly (the PS bit), and which size.
  @inlinable public var hugePageSize: PageSize? {
    switch self {
    case .pageDirectoryPointerTable: return .size1GiB
    case .pageDirectory: return .size2MiB
    default: return nil
    }
  }

  public var description: String {
    switch self {
    case .pml4: return "PML4"
    case .pageDirectoryPointerTable: return "PDPT"
    case .pageDirectory: return "PD"
    case .pageTable: return "PT"
    }
  }
}

/// Entries in one page table of any level.
public let pageTableEntryCount = 512
