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
    var leafFlags = flags.union(.present)
    if size != .size4KiB { leafFlags.insert(.huge) }
    var mapper = LeafMapper(
      target: .slots(size.leafLevel, missing: .create(.intermediate)),
      entry: PageTableEntry(frame: frame, flags: leafFlags))
    var flush = TLBFlush(root: root)
    let outcome = walk(
      from: page.value, through: page.value, &mapper, flush: &flush, tlb: NoMidWalkFlush(),
      frames: &frames)
    flush.finishEmpty()
    if let error = outcome.error { throw error }
    guard mapper.mapped else { throw .alreadyMapped }
  }

  /// Removes the mapping that starts at `page` (of whatever size), and every table it leaves
  /// empty in the process's part.
  ///
  /// - Returns: the removed mapping, which must be flushed before its frame or the emptied
  ///   tables are reused.
  public func unmap(_ page: VirtualAddress) throws(PageMapError) -> UnmappedPage {
    var changer = LeafChanger(page: page.value, change: .clear)
    var flush = TLBFlush(root: root)
    var none = NoFrames()
    _ = walk(
      from: page.value, through: page.value, &changer, flush: &flush, tlb: NoMidWalkFlush(),
      frames: &none)
    guard let found = changer.found, !changer.misaligned else {
      flush.finishEmpty()
      throw changer.misaligned ? .misaligned : .notMapped
    }
    return UnmappedPage(
      address: page, size: found.size, leaf: found.frameAddress.frame, flush: flush)
  }

  /// Replaces the flags of the present mapping that starts at `page`, keeping its frame.
  public func protect(_ page: VirtualAddress, flags: PageTableFlags) throws(PageMapError)
    -> PendingInvalidation
  {
    var changer = LeafChanger(page: page.value, change: .protect(flags.union(.present)))
    var flush = TLBFlush(root: root)
    try change(&changer, owing: &flush)
    return PendingInvalidation(address: page, flush: flush)
  }

  /// Points the present 4 KiB mapping at `page` to another frame with new flags (e.g. a copy of
  /// the shared zero page on first write). The old frame is returned after the flush.
  public func remap(_ page: VirtualAddress, to frame: PhysicalFrame, flags: PageTableFlags)
    throws(PageMapError) -> UnmappedPage
  {
    var changer = LeafChanger(
      page: page.value, change: .replace(PageTableEntry(frame: frame, flags: flags.union(.present)))
    )
    var flush = TLBFlush(root: root)
    let found = try change(&changer, owing: &flush)
    return UnmappedPage(
      address: page, size: .size4KiB, leaf: found.frameAddress.frame, flush: flush)
  }

  /// Runs `changer`, which changes the leaf starting at its page in place (no table is emptied
  /// or created), with the invalidation owed on `flush`, and returns the mapping it found.
  @discardableResult
  private func change(_ changer: inout LeafChanger, owing flush: inout TLBFlush)
    throws(PageMapError) -> Mapping
  {
    var none = NoFrames()
    _ = walk(
      from: changer.page, through: changer.page, &changer, flush: &flush, tlb: NoMidWalkFlush(),
      frames: &none)
    guard let found = changer.found else { throw .notMapped }
    guard !changer.misaligned else { throw .misaligned }
    return found
  }

  // MARK: Translating

  /// The present mapping covering `address`, if any.
  public func mapping(containing address: VirtualAddress) -> Mapping? {
    var finder = LeafFinder()
    var flush = TLBFlush(root: root)
    var none = NoFrames()
    _ = walk(
      from: address.value, through: address.value, &finder, flush: &flush,
      tlb: NoMidWalkFlush(), frames: &none)
    flush.finishEmpty()
    guard let found = finder.found else { return nil }
    return Mapping(
      page: address.alignedDown(to: found.size), frameAddress: found.frameAddress,
      size: found.size, flags: found.flags)
  }

  /// The physical address `address` translates to: the page's frame plus the low 12, 21 or 30
  /// bits of `address` (the seed's reverse translation).
  public func translate(_ address: VirtualAddress) -> PhysicalAddress? {
    guard let mapping = mapping(containing: address) else { return nil }
    return mapping.frameAddress.advanced(by: address.value & mapping.size.offsetMask)
  }
}

/// The walker of `map`: fills the one empty slot it is shown with `entry`.
struct LeafMapper: PageWalker {
  let target: WalkTarget
  let entry: PageTableEntry
  /// Whether the slot was empty and got the entry (false: `.alreadyMapped`).
  var mapped = false

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.entry.isUnused else { return .keep }
    mapped = true
    return .write(entry)
  }
}

/// The walker of `mapping(containing:)`: remembers the present leaf covering the address.
struct LeafFinder: PageWalker {
  var target: WalkTarget { .presentLeaves }
  var found: Mapping? = nil

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    found = slot.mapping
    return .keep
  }
}

/// The walker of `unmap`, `protect` and `remap`: changes the present leaf that starts at
/// `page`; a leaf that covers `page` but starts before it is left alone (`.misaligned`).
struct LeafChanger: PageWalker {
  /// What happens to the leaf.
  enum Change {
    /// Remove it (`unmap`).
    case clear
    /// New flags, the same frame; the huge bit is added for a large page (`protect`).
    case protect(PageTableFlags)
    /// A new 4 KiB entry (`remap`); a larger page is `.misaligned`.
    case replace(PageTableEntry)
  }

  let page: UInt64
  let change: Change
  var target: WalkTarget { .presentLeaves }
  /// The leaf as it was.
  var found: Mapping? = nil
  var misaligned = false

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    found = slot.mapping
    guard slot.start == page else {
      misaligned = true
      return .keep
    }
    switch change {
    case .clear:
      return .clear
    case .protect(var flags):
      if slot.size != .size4KiB { flags.insert(.huge) }
      return .write(
        PageTableEntry(frame: slot.entry.hugePageAddress(slot.size).frame, flags: flags))
    case .replace(let entry):
      guard slot.size == .size4KiB else {
        misaligned = true
        return .keep
      }
      return .write(entry)
    }
  }
}
