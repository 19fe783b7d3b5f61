/// The flag bits of an x86_64 page-table entry (Intel SDM Vol. 3A, §4.5, tables 4-15 to 4-20).
///
/// Bit 7 means different things by level: the page-size bit (`huge`) in PDPT and PD entries,
/// the PAT bit in PT entries. Both names are provided; which one applies is the caller's level.
public struct PageTableFlags: OptionSet, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: UInt64
  @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

  /// P: the entry is valid.
  public static let present = PageTableFlags(rawValue: 1 << 0)
  /// R/W: writes are allowed (subject to CR0.WP for the kernel).
  public static let writable = PageTableFlags(rawValue: 1 << 1)
  /// U/S: ring 3 may access.
  public static let user = PageTableFlags(rawValue: 1 << 2)
  /// PWT: write-through caching.
  public static let writeThrough = PageTableFlags(rawValue: 1 << 3)
  /// PCD: caching disabled.
  public static let cacheDisable = PageTableFlags(rawValue: 1 << 4)
  /// A: set by the CPU on access.
  public static let accessed = PageTableFlags(rawValue: 1 << 5)
  /// D: set by the CPU on write (leaf entries only).
  public static let dirty = PageTableFlags(rawValue: 1 << 6)
  /// PS: in a PDPT or PD entry, the entry maps a 1 GiB or 2 MiB page.
  public static let huge = PageTableFlags(rawValue: 1 << 7)
  /// PAT: in a PT entry, the high bit of the page-attribute-table index.
  public static let pageAttributeTable4KiB = PageTableFlags(rawValue: 1 << 7)
  /// G: the translation survives CR3 reloads (needs CR4.PGE).
  public static let global = PageTableFlags(rawValue: 1 << 8)
  /// PAT in a huge-page entry (bit 12; the frame field starts above it).
  public static let pageAttributeTableHuge = PageTableFlags(rawValue: 1 << 12)
  /// XD: instruction fetches are forbidden (needs EFER.NXE, or the bit is reserved).
  public static let noExecute = PageTableFlags(rawValue: 1 << 63)

  /// The flags for intermediate (non-leaf) entries: the most permissive, so that the leaf alone
  /// decides a page's permissions.
  public static let intermediate: PageTableFlags = [.present, .writable, .user]

  /// Every bit this type may carry in an entry.
  public static let all = PageTableFlags(rawValue: 0x8000_0000_0000_11ff)

  public var description: String {
    var text = ""
    let names: [(PageTableFlags, String)] = [
      (.present, "P"), (.writable, "W"), (.user, "U"), (.writeThrough, "PWT"),
      (.cacheDisable, "PCD"), (.accessed, "A"), (.dirty, "D"), (.huge, "PS"),
      (.global, "G"), (.noExecute, "NX"),
    ]
    for (flag, name) in names where contains(flag) {
      text += text.isEmpty ? name : " " + name
    }
    return text.isEmpty ? "-" : text
  }
}
