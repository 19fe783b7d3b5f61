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
    switch existingPath(to: address, at: level) {
    case .reached(let path): return path[level]!
    case .missing: throw .notMapped
    case .hugePage(let level): throw .hugePageInTheWay(level)
    }
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
    try path(to: address, at: level, creatingWith: flags, frames: &frames)[level]!
  }

  /// The walk to `address` at `level`, with missing tables created and counted.
  func path<Frames: FrameSource>(
    to address: VirtualAddress, at level: PageTableLevel,
    creatingWith flags: PageTableFlags = .intermediate, frames: inout Frames
  ) throws(PageMapError) -> WalkPath {
    var path: WalkPath
    let missing: Int
    switch existingPath(to: address, at: level) {
    case .reached(let reached): (path, missing) = (reached, 0)
    case .missing(let partial, let levels): (path, missing) = (partial, levels)
    case .hugePage(let level): throw .hugePageInTheWay(level)
    }
    var newTables = try takeZeroedFrames(count: missing, from: &frames)
    var current = PageTableLevel(rawValue: level.rawValue + missing)!
    while current != level {
      let frame = newTables.take()
      write(PageTableEntry(frame: frame, flags: flags.union(.present)), at: path[current]!)
      countEntryAdded(at: current, along: path)
      let below = current.next!
      path.record(EntryLocation(table: frame, index: address.index(at: below), level: below))
      current = below
    }
    return path
  }

  /// How far a walk down existing tables got.
  ///
  /// The walkers return this instead of throwing: a typed-throwing loop that returned its path
  /// lost stores under Swift 6.3's release optimiser; errors are thrown only at the public API.
  enum ExistingPath {
    /// Every table down to the requested level exists.
    case reached(WalkPath)
    /// The entry at the path's deepest level is not present; `levels` tables are missing.
    case missing(WalkPath, levels: Int)
    /// A huge page at this level covers the address.
    case hugePage(PageTableLevel)
  }

  /// Walks down as far as tables exist towards `address` at `level`.
  func existingPath(to address: VirtualAddress, at level: PageTableLevel) -> ExistingPath {
    var path = WalkPath(root: root, address: address)
    var current = PageTableLevel.pml4
    while current != level {
      let entry = entry(at: path[current]!)
      guard entry.isPresent else {
        return .missing(path, levels: current.rawValue - level.rawValue)
      }
      guard !(entry.isHuge && current.hugePageSize != nil) else { return .hugePage(current) }
      let below = current.next!
      path.record(EntryLocation(table: entry.frame, index: address.index(at: below), level: below))
      current = below
    }
    return .reached(path)
  }

  /// Writes `entry` into the empty 4 KiB leaf slot `slot` reached by `path` and counts it in
  /// its table: the second half of `map`, for callers that walked once already (the page trap).
  func fillLeaf(_ slot: EntryLocation, along path: WalkPath, with entry: PageTableEntry) {
    write(entry, at: slot)
    countEntryAdded(at: .pageTable, along: path)
  }

  // MARK: Occupancy

  /// Counts one more used entry in the table at `level` of `path` (the root is not counted).
  func countEntryAdded(at level: PageTableLevel, along path: WalkPath) {
    guard level != .pml4, let parent = path[PageTableLevel(rawValue: level.rawValue + 1)!] else {
      return
    }
    var pointer = entry(at: parent)
    pointer.occupancy += 1
    write(pointer, at: parent)
  }

  /// Counts one used entry fewer in the table at `level` of `path`; returns whether the table
  /// is now empty (never true for the root).
  func countEntryRemoved(at level: PageTableLevel, along path: WalkPath) -> Bool {
    guard level != .pml4, let parent = path[PageTableLevel(rawValue: level.rawValue + 1)!] else {
      return false
    }
    var pointer = entry(at: parent)
    precondition(pointer.occupancy > 0, "page-table occupancy count underflow")
    pointer.occupancy -= 1
    write(pointer, at: parent)
    return pointer.occupancy == 0
  }

  private func takeZeroedFrames<Frames: FrameSource>(count: Int, from frames: inout Frames)
    throws(PageMapError) -> FrameBatch
  {
    var batch = FrameBatch()
    for _ in 0..<count {
      guard let frame = frames.allocateFrame() else {
        batch.releaseAll(to: &frames)
        throw .outOfFrames
      }
      memory.zero(frame)
      batch.add(frame)
    }
    return batch
  }
}

/// Up to three frames taken ahead of a walk (a missing PDPT, PD and PT).
private struct FrameBatch {
  private var frames: (PhysicalFrame?, PhysicalFrame?, PhysicalFrame?) = (nil, nil, nil)
  private var count = 0

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
