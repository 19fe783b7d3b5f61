/// Names one memory object in its context's `MemoryObjectTable`.
public struct MemoryObjectID: Hashable, Sendable, CustomStringConvertible {
  /// The object's slot in the table.
  public let slot: UInt32

  @inlinable init(slot: UInt32) { self.slot = slot }

  public var description: String { "object " + String(slot) }
}

/// What a memory object holds pages for; file-backed (the page cache, issue 11) and
/// swap-backed objects (issue 12) join here, each with its own way to fill a missing page.
public enum MemoryObjectKind: Sendable, Equatable {
  /// `MAP_SHARED | MAP_ANONYMOUS` memory (Linux's shmem object behind it): zero-filled pages
  /// that every region mapping the object reaches — in every address space, across fork —
  /// and that live as long as the object, however often they are mapped and unmapped.
  case anonymousShared
  /// The page cache of a read-only file (`FileContents`): each page, filled from the file on
  /// first use (zeros past its end), stays in one frame for as long as the cache keeps the
  /// object (`PageCache`), whoever maps it. Mapped privately (a loaded program's segments):
  /// read-only until a write copies the page into a private exclusive frame.
  case fileContents(FileContents)
  /// A file of the writable file system (Linux's shmem inode: tmpfs, memfd): zero-filled pages
  /// allocated as they are written, one frame per page for every `read`, `write` and mapping,
  /// the object resized with the file (`PhysicalMemoryContext.resizeFileObject`, FileObject.swift).
  case file
}

/// One memory object: the owner of a set of pages, found by page offset.
///
/// Who owns what:
/// - **Regions refer to objects** by `(object, objectOffset)` (`Region.object`). Private
///   anonymous memory has no object: its pages are owned by the leaves that map them — a
///   frame lives while its map count is not zero — and copy-on-write is the state of a page
///   (a private page that is not `anonymousExclusive` is copied or claimed on its next write,
///   `AddressSpace.breakCopyOnWrite`), not a property of the zero page or of a region. A
///   private mapping of an object (a file, later) copies the object's pages the same way:
///   they are `.shared` frames, never exclusive.
/// - **An object owns its pages.** Each is a frame marked `.shared` in the frame table, whose
///   map count still counts only the leaves that map it; the object's own hold is the state
///   bit, so a page nobody maps stays (map count zero) until the object lets it go.
/// - **An object lives while regions refer to it** (`mappings`, counted explicitly: a split,
///   a fork, an `mremap` add one, a merge, an `munmap`, an exit remove one). At zero it is
///   destroyed: its pages and index tables are freed and its charge refunded, at once.
/// - **An object knows the regions that map it** (`MemoryObjectTable.reverseMap(of:)`:
///   space, start, offset, length of each, in every address space), so a page can leave every page table before
///   it leaves the object (`PhysicalMemoryContext.unmapObjectPages`). It names spaces by
///   `AddressSpaceID`, never by reference: spaces own the context that owns the objects.
///
/// **Commit:** an object is charged once, when it is created or grows, for every page it can
/// hold and every table of its index (`MemoryObject.charge(forPages:)`), however many regions
/// and processes map it (Linux charges a shmem object once, too). A region of an object is
/// charged only the page tables its own space may need to map it
/// (`Region.worstCaseCharge`); `AddressSpace.commitAudit` checks both.
public struct MemoryObject: Sendable {
  /// What the object's pages are.
  public let kind: MemoryObjectKind
  /// The pages the object may hold: offsets `0 ..< pageCount`.
  public internal(set) var pageCount: UInt64
  /// The root of its page index: a radix tree in the page-table format (512 entries a level,
  /// occupancy counts in the pointer entries, emptied tables reclaimed), over the byte offsets
  /// `0 ..< pageCount * 4096` — never loaded into CR3. Allocated with the object.
  let indexRoot: PhysicalFrame
  /// The regions, across every address space, that refer to the object.
  public internal(set) var mappings: Int
  /// The frames charged to the ledger for it.
  public internal(set) var charge: UInt64
  /// The pages it holds now.
  public internal(set) var residentPages: UInt64 = 0
  /// The pages of it that live in swap slots now: its index holds their swap entries
  /// (Swap/ObjectSwapOut.swift). Zero for every object that never swapped, which lets the
  /// paths that must find swap entries (a fault's lookup, truncation, destruction) skip
  /// looking.
  public internal(set) var swappedPages: UInt64 = 0

  /// The charge of an object of `pages` pages: each page, each table its index may need, and
  /// the index's root.
  public static func charge(forPages pages: UInt64) -> UInt64 {
    let indexRootFrame: UInt64 = 1
    guard pages > 0 else { return indexRootFrame }
    let offsets = VirtualRange(
      uncheckedStart: 0, end: pages << PageSize.size4KiB.shift)
    return CommitLedger.worstCaseFrames(for: offsets) + indexRootFrame
  }
}

/// The memory objects of one machine, owned by its `PhysicalMemoryContext`: slots in one
/// array (reused when freed), so a region names an object by a small index and copying a
/// region costs no reference counting. LOCK: the object-table lock once a second CPU exists
/// (the object's own lock for its pages).
public struct MemoryObjectTable {
  /// The objects by slot; nil marks a free slot.
  var slots: [MemoryObject?] = []
  /// Free slots, reused last-freed first.
  var freeSlots: [UInt32] = []
  /// Each slot's object's reverse map (empty for a free slot): beside the objects rather
  /// than in them, so changing one is an in-place edit of this array's element — reading an
  /// object (`self[id]`) copies its record and would make the next edit of a map inside it
  /// copy the map's storage. LOCK: the object's lock.
  var reverseMaps: [ObjectMappingTree] = []
  /// The sum of every object's charge.
  public internal(set) var totalCharge: UInt64 = 0
  /// Where the object hand of reclaim stands (`reclaimObjectPages`, PageCacheReclaim.swift):
  /// the slot of the object it sweeps and the page it resumes at. Beside the objects it
  /// sweeps, as the cache hand's position is beside the cache's entries. LOCK: the reclaim
  /// lock.
  var handSlot = 0
  var handPage: UInt64 = 0

  /// An empty table.
  public init() {}

  /// The live objects.
  public var count: Int { slots.count - freeSlots.count }

  /// The object `id` names (it must be live).
  public internal(set) subscript(id: MemoryObjectID) -> MemoryObject {
    get {
      guard let object = slots[Int(id.slot)] else { preconditionFailure("a dead memory object") }
      return object
    }
    set {
      totalCharge = totalCharge - self[id].charge + newValue.charge
      slots[Int(id.slot)] = newValue
    }
  }

  /// Adds `object`; its name.
  mutating func add(_ object: MemoryObject) -> MemoryObjectID {
    totalCharge += object.charge
    if let slot = freeSlots.popLast() {
      slots[Int(slot)] = object
      return MemoryObjectID(slot: slot)
    }
    slots.append(object)
    reverseMaps.append(ObjectMappingTree())
    return MemoryObjectID(slot: UInt32(slots.count - 1))
  }

  /// Removes the object `id` names; its record.
  mutating func remove(_ id: MemoryObjectID) -> MemoryObject {
    let object = self[id]
    precondition(reverseMaps[Int(id.slot)].isEmpty, "a memory object destroyed while mapped")
    reverseMaps[Int(id.slot)] = ObjectMappingTree()
    totalCharge -= object.charge
    slots[Int(id.slot)] = nil
    freeSlots.append(id.slot)
    return object
  }

  /// Every region, in every address space, that maps object `id` (`ObjectMappingTree`).
  public func reverseMap(of id: MemoryObjectID) -> ObjectMappingTree {
    reverseMaps[Int(id.slot)]
  }

  /// Adds `mapping` to object `id`'s reverse map, in place.
  mutating func addMapping(_ mapping: ObjectMapping, to id: MemoryObjectID) {
    reverseMaps[Int(id.slot)].insert(mapping)
  }

  /// Removes `mapping` from object `id`'s reverse map, in place.
  mutating func removeMapping(_ mapping: ObjectMapping, from id: MemoryObjectID) {
    reverseMaps[Int(id.slot)].remove(mapping)
  }

  /// The live objects' names, for audits and tests.
  public var ids: [MemoryObjectID] {
    var live: [MemoryObjectID] = []
    for slot in slots.indices where slots[slot] != nil {
      live.append(MemoryObjectID(slot: UInt32(slot)))
    }
    return live
  }
}
