/// A present leaf: what one virtual page maps to.
public struct Mapping: Hashable, Sendable, CustomStringConvertible {
  /// The virtual address where the page starts.
  public let page: VirtualAddress
  /// The physical address where the page starts.
  public let frameAddress: PhysicalAddress
  /// The page size.
  public let size: PageSize
  /// The leaf entry's flags (the huge bit included for 2 MiB / 1 GiB pages).
  public let flags: PageTableFlags

  public var description: String {
    page.description + " -> " + frameAddress.description + " " + size.description + " "
      + flags.description
  }
}

extension PageMap {
  // MARK: Mapping

  /// Maps the page of `size` at `page` to the physical page at `frame`, with `flags` on the
  /// leaf (present, and the page-size bit for huge pages, are added).
  ///
  /// No invalidation is owed: the entry was not present, and the CPU does not cache non-present
  /// translations.
  public func map<Frames: FrameSource>(
    _ page: VirtualAddress, to frame: PhysicalFrame, size: PageSize = .size4KiB,
    flags: PageTableFlags, frames: inout Frames
  ) throws(PageMapError) {
    guard page.isAligned(to: size), frame.isAligned(to: size) else { throw .misaligned }
    let path = try path(to: page, at: size.leafLevel, frames: &frames)
    let location = path[size.leafLevel]!
    guard entry(at: location).isUnused else { throw .alreadyMapped }
    var leafFlags = flags.union(.present)
    if size != .size4KiB { leafFlags.insert(.huge) }
    write(PageTableEntry(frame: frame, flags: leafFlags), at: location)
    countEntryAdded(at: size.leafLevel, along: path)
  }

  /// Removes the mapping that starts at `page` (of whatever size), and every table it leaves
  /// empty in the process's part.
  ///
  /// - Returns: the removed mapping, which must be flushed before its frame or the emptied
  ///   tables are reused.
  public func unmap(_ page: VirtualAddress) throws(PageMapError) -> UnmappedPage {
    let (path, size) = try leafPath(for: page)
    guard page.isAligned(to: size) else { throw .misaligned }
    let location = path[size.leafLevel]!
    let old = entry(at: location)
    write(.empty, at: location)
    var emptied = EmptiedTables()
    reclaimEmptyTables(from: size.leafLevel, along: path, into: &emptied)
    return UnmappedPage(
      address: page, size: size, leaf: old.hugePageAddress(size).frame, emptiedTables: emptied)
  }

  /// Replaces the flags of the present mapping that starts at `page`, keeping its frame.
  public func protect(_ page: VirtualAddress, flags: PageTableFlags) throws(PageMapError)
    -> PendingInvalidation
  {
    let (location, size) = try leaf(for: page)
    guard page.isAligned(to: size) else { throw .misaligned }
    var leafFlags = flags.union(.present)
    if size != .size4KiB { leafFlags.insert(.huge) }
    let frame = entry(at: location).hugePageAddress(size).frame
    write(PageTableEntry(frame: frame, flags: leafFlags), at: location)
    return PendingInvalidation(address: page)
  }

  /// Points the present 4 KiB mapping at `page` to another frame with new flags (e.g. a copy of
  /// the shared zero page on first write). The old frame is returned after the flush.
  public func remap(_ page: VirtualAddress, to frame: PhysicalFrame, flags: PageTableFlags)
    throws(PageMapError) -> UnmappedPage
  {
    let (location, size) = try leaf(for: page)
    guard size == .size4KiB, page.isAligned(to: size) else { throw .misaligned }
    let old = entry(at: location)
    write(PageTableEntry(frame: frame, flags: flags.union(.present)), at: location)
    return UnmappedPage(address: page, size: size, leaf: old.frame, emptiedTables: EmptiedTables())
  }

  // MARK: Translating

  /// The present mapping covering `address`, if any.
  public func mapping(containing address: VirtualAddress) -> Mapping? {
    guard let (location, size) = try? leaf(for: address) else { return nil }
    let leafEntry = entry(at: location)
    return Mapping(
      page: address.alignedDown(to: size), frameAddress: leafEntry.hugePageAddress(size),
      size: size, flags: leafEntry.flags)
  }

  /// The physical address `address` translates to: the page's frame plus the low 12, 21 or 30
  /// bits of `address` (the seed's reverse translation).
  public func translate(_ address: VirtualAddress) -> PhysicalAddress? {
    guard let mapping = mapping(containing: address) else { return nil }
    return mapping.frameAddress.advanced(by: address.value & mapping.size.offsetMask)
  }

  // MARK: Walking helpers

  /// The present leaf entry covering `address` and the size of the page it maps.
  func leaf(for address: VirtualAddress) throws(PageMapError) -> (EntryLocation, PageSize) {
    let (path, size) = try leafPath(for: address)
    return (path[size.leafLevel]!, size)
  }

  /// The walk to the present leaf covering `address`, and the size of the page it maps.
  func leafPath(for address: VirtualAddress) throws(PageMapError) -> (WalkPath, PageSize) {
    guard let found = presentLeafPath(for: address) else { throw .notMapped }
    return found
  }

  /// The walk to the present leaf covering `address`, or nil (see `ExistingPath` for why the
  /// walk itself does not throw).
  private func presentLeafPath(for address: VirtualAddress) -> (WalkPath, PageSize)? {
    var path = WalkPath(root: root, address: address)
    var level = PageTableLevel.pml4
    while true {
      let current = entry(at: path[level]!)
      guard current.isPresent else { return nil }
      if level == .pageTable { return (path, .size4KiB) }
      if current.isHuge, let size = level.hugePageSize { return (path, size) }
      let below = level.next!
      path.record(
        EntryLocation(table: current.frame, index: address.index(at: below), level: below))
      level = below
    }
  }

  /// After an entry at `level` was cleared, counts it gone and unlinks each table on the path
  /// that is now empty, bottom up — O(1) per level thanks to the occupancy counts. Tables of the
  /// kernel's part are shared by every address space and are never unlinked.
  private func reclaimEmptyTables(
    from level: PageTableLevel, along path: WalkPath, into emptied: inout EmptiedTables
  ) {
    let reclaimable = PageMap.isUserPart(
      VirtualAddress(
        truncatingToCanonical: UInt64(path[.pml4]!.index) << PageTableLevel.pml4.indexShift))
    var current = level
    while countEntryRemoved(at: current, along: path), reclaimable {
      let parentLevel = PageTableLevel(rawValue: current.rawValue + 1)!
      write(.empty, at: path[parentLevel]!)
      emptied.append(path[current]!.table)
      current = parentLevel
    }
  }

}
