import KernelMemory

/// One page as the page tables in memory map it, found by a walk.
public struct WalkedMapping: Hashable, Sendable, CustomStringConvertible {
  /// The first virtual address of the page (aligned to `size`).
  public var virtualStart: VirtualAddress
  /// The first physical address of the page (aligned to `size`; the PAT bit is masked off).
  public var physicalStart: PhysicalAddress
  /// The page size: which level held the leaf.
  public var size: PageSize
  /// The permissions combined over every level.
  public var rights: AccessRights
  /// Whether the leaf entry sets G (whether that matters depends on CR4.PGE).
  public var isGlobal: Bool
  /// Whether the leaf entry's D bit was set when walked.
  public var isDirty: Bool
  /// Where the leaf entry itself lives, so its D bit can be set later.
  public var leafEntryAddress: PhysicalAddress

  /// The physical address `address` (inside this page) translates to.
  public func physicalAddress(of address: VirtualAddress) -> PhysicalAddress {
    physicalStart.advanced(by: address.value & size.offsetMask)
  }

  /// Whether `address` lies in this page.
  public func contains(_ address: VirtualAddress) -> Bool {
    address.alignedDown(to: size) == virtualStart
  }

  public var description: String {
    "\(virtualStart) → \(physicalStart) \(size) \(rights)" + (isGlobal ? " G" : "")
  }
}

/// What a walk of the page tables finds for one virtual address.
public enum PageWalk: Hashable, Sendable {
  /// A present leaf with no reserved bits anywhere on the way.
  case mapped(WalkedMapping)
  /// The entry at `level` has P = 0; nothing below it was read.
  case notPresent(level: PageTableLevel)
  /// The present entry at `level` sets a bit the architecture reserves.
  case reservedBitSet(level: PageTableLevel)

  /// The mapping, when the walk reached a leaf.
  public var mapping: WalkedMapping? {
    if case .mapped(let mapping) = self { return mapping }
    return nil
  }
}

/// Walks 4-level page tables in emulated RAM the way the CPU's page walker does (Intel SDM
/// Vol. 3A §4.5): PML4 → PDPT → PD → PT, stopping early at a PS entry in the PDPT or PD.
///
/// `walk` has no side effects, so tests and the staleness check can use it as an oracle; the
/// MMU sets Accessed/Dirty bits separately with `markUsed`, and only for an access it allows.
struct PageWalker {
  let ram: EmulatedRAM
  let features: PagingFeatures
  /// Bits reserved in a present entry at every level: MAXPHYADDR and, without NXE, XD.
  private let reservedEverywhere: UInt64
  /// The XD bit when NXE makes it mean no-execute, else 0.
  private let noExecuteBit: UInt64

  private static let entrySize: UInt64 = 8

  /// A walker for the tables in `ram` under `features` (computed once: walks are hot).
  init(ram: EmulatedRAM, features: PagingFeatures) {
    self.ram = ram
    self.features = features
    let xd = PageTableFlags.noExecute.rawValue
    reservedEverywhere = features.physicalAddressReservedMask | (features.noExecuteEnable ? 0 : xd)
    noExecuteBit = features.noExecuteEnable ? xd : 0
  }

  /// The mapping of `address` under the tables rooted at `root`.
  func walk(_ address: VirtualAddress, root: PhysicalFrame) -> PageWalk {
    var table = root
    var level = PageTableLevel.pml4
    var rights = AccessRights.unrestricted
    while true {
      let entryAddress = Self.entryAddress(of: address, in: table, at: level)
      let entry = PageTableEntry(rawValue: ram.load(entryAddress))
      guard entry.isPresent else { return .notPresent(level: level) }
      guard !hasReservedBits(entry, at: level) else { return .reservedBitSet(level: level) }
      rights = AccessRights(rawValue: rights.rawValue & self.rights(of: entry).rawValue)
      if let size = Self.leafSize(of: entry, at: level) {
        return .mapped(
          mapping(of: address, leaf: entry, at: entryAddress, size: size, rights: rights))
      }
      table = entry.frame
      guard let next = level.next else { preconditionFailure("a PT entry is always a leaf") }
      level = next
    }
  }

  /// Sets the Accessed bit in every entry on the walk to `address`, and Dirty in the leaf for
  /// a write, as the CPU does for an access it completes. Call only after a successful `walk`.
  func markUsed(_ address: VirtualAddress, root: PhysicalFrame, write: Bool) {
    var table = root
    var level = PageTableLevel.pml4
    while true {
      let entryAddress = Self.entryAddress(of: address, in: table, at: level)
      let entry = PageTableEntry(rawValue: ram.load(entryAddress))
      let isLeaf = Self.leafSize(of: entry, at: level) != nil
      let dirty = isLeaf && write ? PageTableFlags.dirty.rawValue : 0
      setFlags(PageTableFlags.accessed.rawValue | dirty, in: entry, at: entryAddress)
      guard !isLeaf, let next = level.next else { return }
      table = entry.frame
      level = next
    }
  }

  /// Sets the Dirty bit of `mapping`'s leaf entry if it still maps the same page: the memory
  /// update a CPU makes on the first write through a TLB entry that was cached clean (SDM §4.8).
  /// The translation itself still comes from the TLB, stale or not.
  func markDirty(_ mapping: WalkedMapping) {
    let entry = PageTableEntry(rawValue: ram.load(mapping.leafEntryAddress))
    let mappedStart =
      mapping.size == .size4KiB ? entry.address : entry.hugePageAddress(mapping.size)
    guard entry.isPresent && mappedStart == mapping.physicalStart else { return }
    let used = PageTableFlags.accessed.rawValue | PageTableFlags.dirty.rawValue
    setFlags(used, in: entry, at: mapping.leafEntryAddress)
  }

  /// Stores `entry` with the `bits` set, unless they already are (the CPU skips the write too).
  private func setFlags(_ bits: UInt64, in entry: PageTableEntry, at address: PhysicalAddress) {
    guard entry.rawValue & bits != bits else { return }
    ram.store(entry.rawValue | bits, at: address)
  }

  private func mapping(
    of address: VirtualAddress, leaf: PageTableEntry, at entryAddress: PhysicalAddress,
    size: PageSize, rights: AccessRights
  ) -> WalkedMapping {
    let physicalStart = size == .size4KiB ? leaf.address : leaf.hugePageAddress(size)
    return WalkedMapping(
      virtualStart: address.alignedDown(to: size), physicalStart: physicalStart, size: size,
      rights: rights, isGlobal: leaf.rawValue & PageTableFlags.global.rawValue != 0,
      isDirty: leaf.rawValue & PageTableFlags.dirty.rawValue != 0, leafEntryAddress: entryAddress)
  }

  /// What one entry allows. XD only restricts when NXE is on (otherwise it is reserved and the
  /// walk has already stopped).
  ///
  /// Raw bit tests rather than `OptionSet` calls: this runs on every TLB miss, and the generic
  /// set algebra is slow in the debug builds the tests run in.
  private func rights(of entry: PageTableEntry) -> AccessRights {
    let raw = entry.rawValue
    var rights: UInt8 = 0
    if raw & PageTableFlags.writable.rawValue != 0 { rights |= AccessRights.writable.rawValue }
    if raw & PageTableFlags.user.rawValue != 0 { rights |= AccessRights.user.rawValue }
    if raw & noExecuteBit == 0 { rights |= AccessRights.executable.rawValue }
    return AccessRights(rawValue: rights)
  }

  /// Whether a present entry sets a reserved bit (SDM tables 4-14 to 4-19): address bits at or
  /// above MAXPHYADDR; XD without NXE; PS in a PML4 entry; in a huge leaf, the address bits
  /// between the PAT bit (12) and the page size, which must be zero for an aligned page.
  private func hasReservedBits(_ entry: PageTableEntry, at level: PageTableLevel) -> Bool {
    var reserved = reservedEverywhere
    if level == .pml4 { reserved |= PageTableFlags.huge.rawValue }
    if let size = level.hugePageSize, entry.isHuge { reserved |= Self.hugeAlignmentMask(size) }
    return entry.rawValue & reserved != 0
  }

  /// The bits 13 ..< size.shift of a huge leaf: inside the page, above the PAT bit.
  private static func hugeAlignmentMask(_ size: PageSize) -> UInt64 {
    let patAndBelow = PageTableFlags.pageAttributeTableHuge.rawValue << 1 &- 1
    return size.offsetMask & ~patAndBelow
  }

  /// The page size a leaf entry at `level` maps, or nil when the entry points to a table.
  private static func leafSize(of entry: PageTableEntry, at level: PageTableLevel) -> PageSize? {
    if level == .pageTable { return .size4KiB }
    return entry.isHuge ? level.hugePageSize : nil
  }

  private static func entryAddress(
    of address: VirtualAddress, in table: PhysicalFrame, at level: PageTableLevel
  ) -> PhysicalAddress {
    table.address.advanced(by: UInt64(address.index(at: level)) * entrySize)
  }
}
