/// Prints how the active page tables translate an address, one line per level: what a panic
/// report shows so that "why did this fault?" can be read off directly.
enum PageTableWalk {
  /// Walks `address` from the PML4 down, printing each level's entry, and stops at the first
  /// entry that is not present or that maps a (huge) page.
  static func print(_ address: UInt64) {
    Swift.print(
      "  page-table walk of " + hexPadded(address) + " (CR3 root "
        + activePageMap().root.address.description + "):")
    guard let virtual = VirtualAddress(address) else {
      Swift.print("    not canonical: bits 63..48 must copy bit 47 (a #GP, not a #PF)")
      return
    }
    let map = activePageMap()
    var table = map.root
    var level = PageTableLevel.pml4
    while true {
      let location = EntryLocation(table: table, index: virtual.index(at: level), level: level)
      let entry = map.entry(at: location)
      Swift.print("    " + padRight(location.description, 34) + " = " + entry.description)
      guard entry.isPresent else {
        Swift.print("    -> not present at " + level.description + ": the address is not mapped")
        return
      }
      if let size = level.hugePageSize, entry.isHuge {
        Swift.print(
          "    -> " + size.description + " page at " + entry.hugePageAddress(size).description)
        return
      }
      guard let next = level.next else {
        Swift.print("    -> 4 KiB page at " + entry.address.description)
        return
      }
      table = entry.frame
      level = next
    }
  }
}
