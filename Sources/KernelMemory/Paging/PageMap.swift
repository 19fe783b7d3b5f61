/// One 4-level x86_64 page-table tree: the seed's `PageMap`.
///
/// A `PageMap` is a handle: the physical frame of its PML4 (what CR3 holds) and the accessor that
/// reaches physical memory. Tables are read and written in place, so copies of a `PageMap` see
/// the same tree. Frames for new tables come from a `FrameSource` passed to each call that may
/// need one, which keeps ownership explicit and lets tests inject allocation failures.
///
/// PML4 slots below `UserLayout.firstKernelSlot` belong to a process and their tables are
/// reclaimed when they empty; the slots from there on are the kernel's, shared by every address
/// space, and their tables are never freed here.
public struct PageMap<Memory: PhysicalMemoryAccess> {
  /// The PML4's frame: the value to load into CR3 (the seed's `pml4Phys`).
  public let root: PhysicalFrame
  /// How page tables are reached.
  public let memory: Memory

  /// The first PML4 slot of the kernel's part (see `UserLayout`).
  public static var firstKernelSlot: Int { UserLayout.firstKernelSlot }

  /// Whether `address` lies in the process's part, whose tables are private and reclaimable.
  @inlinable public static func isUserPart(_ address: VirtualAddress) -> Bool {
    address.value < UserLayout.end
  }

  /// Adopts an existing tree rooted at `root`.
  public init(root: PhysicalFrame, memory: Memory) {
    self.root = root
    self.memory = memory
  }

  /// Creates an empty tree with a zeroed PML4 taken from `frames`.
  public init<Frames: FrameSource>(memory: Memory, frames: inout Frames) throws(PageMapError) {
    guard let frame = frames.allocateFrame() else { throw .outOfFrames }
    memory.zero(frame)
    self.init(root: frame, memory: memory)
  }

  /// Creates a tree for a new address space whose kernel part shares `kernel`'s tables.
  ///
  /// Sharing works because the kernel's PDPTs are created once at boot and never replaced, so
  /// copying the kernel's PML4 entries now stays correct forever.
  public init<Frames: FrameSource>(
    sharingKernelPartOf kernel: PageMap<Memory>, frames: inout Frames
  ) throws(PageMapError) {
    try self.init(memory: kernel.memory, frames: &frames)
    for slot in PageMap.firstKernelSlot..<pageTableEntryCount {
      let location = EntryLocation(table: kernel.root, index: slot, level: .pml4)
      write(entry(at: location), at: EntryLocation(table: root, index: slot, level: .pml4))
    }
  }

  // MARK: Entries

  /// Reads the entry at `location`.
  @inlinable public func entry(at location: EntryLocation) -> PageTableEntry {
    PageTableEntry(rawValue: memory.load(location.address))
  }

  /// Writes the entry at `location`. Internal: entries are added and removed through `map`,
  /// `unmap`, `protect` and `remap`, which keep tables' occupancy counts and owe invalidations.
  @inlinable func write(_ entry: PageTableEntry, at location: EntryLocation) {
    memory.store(entry.rawValue, at: location.address)
  }

  // MARK: Locating (the seed's LocatePage)

  /// Finds the entry for `address` at `level` without creating anything.
  ///
  /// - Throws: `.notMapped` when a table on the way is missing, `.hugePageInTheWay` when a huge
  ///   page above `level` covers the address.
  public func locate(_ address: VirtualAddress, at level: PageTableLevel = .pageTable)
    throws(PageMapError) -> EntryLocation
  {
    var none = NoFrames()
    return try locate(address, at: level, missing: .fail, frames: &none)
  }

  /// Finds the entry for `address` at `level`, creating the missing tables on the way with
  /// `flags` (the seed's `LocatePage(address, creation: true, creationFlags)`).
  ///
  /// All frames a walk needs are taken before any table is linked in, so running out of frames
  /// part-way leaves the tree untouched and every frame returned.
  public func locate<Frames: FrameSource>(
    _ address: VirtualAddress, at level: PageTableLevel = .pageTable,
    creatingWith flags: PageTableFlags = .intermediate, frames: inout Frames
  ) throws(PageMapError) -> EntryLocation {
    try locate(address, at: level, missing: .create(flags), frames: &frames)
  }

  /// `locate` as one walk of the slot covering `address` at `level`.
  private func locate<Frames: FrameSource>(
    _ address: VirtualAddress, at level: PageTableLevel, missing: MissingTables,
    frames: inout Frames
  ) throws(PageMapError) -> EntryLocation {
    var locator = SlotLocator(target: .slots(level, missing: missing))
    var flush = TLBFlush(root: root)
    let outcome = walk(
      from: address.value, through: address.value, &locator, flush: &flush,
      tlb: NoMidWalkFlush(), frames: &frames)
    flush.finishEmpty()
    if let error = outcome.error { throw error }
    return locator.found!
  }

  // MARK: The demand fault's walk

  /// Where a demand fault's 4 KiB leaf lives, found by `demandSlot`.
  enum DemandSlot {
    /// The leaf entry's physical address, and that of the page-directory entry pointing to its
    /// page table (which holds the page table's occupancy count).
    case slot(leaf: PhysicalAddress, tableEntry: PhysicalAddress)
    /// A huge page covers the address.
    case hugePage
    /// A table was missing and no frame was left for it.
    case outOfFrames
    /// The page table covering the page is shared by fork (its page-directory entry, at this
    /// physical address, has R/W clear): the caller must unshare it before touching a leaf.
    case sharedTable(pointer: PhysicalAddress)
  }

  /// The page trap's one walk: down to the 4 KiB leaf slot of `page`, creating (zeroed, counted)
  /// the tables a first touch needs on the way.
  ///
  /// A specialisation of `walk` for one case — `.slots(.pageTable, missing: .create)` over one
  /// page, stopping at a shared table instead of unsharing it, the leaf filled afterwards by
  /// `fillDemandSlot` — kept separate because it is the measured fast path (see below).
  ///
  /// Written as a plain loop over physical addresses, without `EntryLocation`s: this runs on
  /// every demand fault, and the general walk of the time (a path of optional slots) spent about
  /// four times the instructions on optional path slots and level arithmetic. Tables created
  /// before a later level runs out of frames stay linked and counted (empty, so `unmap`s and
  /// teardown reclaim them): the caller treats running out as a broken commit, i.e. a panic.
  func demandSlot<Frames: FrameSource>(for page: VirtualAddress, frames: inout Frames)
    -> DemandSlot
  {
    let entrySize = UInt64(MemoryLayout<UInt64>.size)
    let indexMask = UInt64(pageTableEntryCount - 1)
    let indexBits = UInt64(pageTableEntryCount.trailingZeroBitCount)  // 9 per level
    var table = root.address.value
    var pointer: UInt64 = 0  // the entry pointing to `table` (none for the root)
    var shift = PageTableLevel.pml4.indexShift
    while shift > PageTableLevel.pageTable.indexShift {
      let slot = table &+ ((page.value >> shift) & indexMask) &* entrySize
      var current = PageTableEntry(rawValue: memory.load(PhysicalAddress(unchecked: slot)))
      if !current.isPresent {
        guard let frame = frames.allocateFrame() else { return .outOfFrames }
        memory.zero(frame)
        current = PageTableEntry(frame: frame, flags: .intermediate)
        memory.store(current.rawValue, at: PhysicalAddress(unchecked: slot))
        if pointer != 0 { countEntryAdded(inTableOf: PhysicalAddress(unchecked: pointer)) }
      } else if current.isHuge && shift != PageTableLevel.pml4.indexShift {
        return .hugePage
      } else if current.rawValue & PageTableFlags.writable.rawValue == 0
        && shift == PageTableLevel.pageDirectory.indexShift
      {
        return .sharedTable(pointer: PhysicalAddress(unchecked: slot))
      }
      pointer = slot
      table = current.rawValue & PageTableEntry.addressMask
      shift -= indexBits
    }
    let leaf = table &+ ((page.value >> shift) & indexMask) &* entrySize
    return .slot(
      leaf: PhysicalAddress(unchecked: leaf), tableEntry: PhysicalAddress(unchecked: pointer))
  }

  /// Writes `entry` into the empty leaf slot a `demandSlot` walk found and counts it in its
  /// page table.
  func fillDemandSlot(
    leaf: PhysicalAddress, tableEntry: PhysicalAddress, with entry: PageTableEntry
  ) {
    memory.store(entry.rawValue, at: leaf)
    countEntryAdded(inTableOf: tableEntry)
  }

  /// One more used entry in the table that the pointer entry at `pointer` points to.
  private func countEntryAdded(inTableOf pointer: PhysicalAddress) {
    var entry = PageTableEntry(rawValue: memory.load(pointer))
    entry.occupancy += 1
    memory.store(entry.rawValue, at: pointer)
  }
}

/// Up to three frames taken ahead of a walk (a missing PDPT, PD and PT).
struct FrameBatch {
  private var frames: (PhysicalFrame?, PhysicalFrame?, PhysicalFrame?) = (nil, nil, nil)
  private var count = 0

  /// Whether every frame taken has been used (or none was taken).
  var isEmpty: Bool { count == 0 }

  mutating func add(_ frame: PhysicalFrame) {
    switch count {
    case 0: frames.0 = frame
    case 1: frames.1 = frame
    default: frames.2 = frame
    }
    count += 1
  }

  mutating func take() -> PhysicalFrame {
    precondition(count > 0, "walk needed more tables than it counted")
    count -= 1
    switch count {
    case 2: return frames.2!
    case 1: return frames.1!
    default: return frames.0!
    }
  }

  mutating func releaseAll<Frames: FrameSource>(to source: inout Frames) {
    while count > 0 { source.releaseFrame(take()) }
  }
}

/// A frame source with nothing in it: for walks that must not create tables.
struct NoFrames: FrameSource {
  mutating func allocateFrame() -> PhysicalFrame? { nil }
  mutating func releaseFrame(_ frame: PhysicalFrame) {
    preconditionFailure("a walk without frames released one")
  }
}

/// The walker of `locate`: remembers the one slot it is shown.
struct SlotLocator: PageWalker {
  let target: WalkTarget
  /// The slot's location, once visited.
  var found: EntryLocation? = nil

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    found = slot.location
    return .keep
  }
}
