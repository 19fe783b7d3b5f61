/// Names one lineage in its context's `AnonymousLineageTable`.
public struct AnonymousLineageID: Hashable, Sendable, CustomStringConvertible {
  /// The lineage's slot in the table (reused once its last member is gone).
  public let slot: UInt32

  @inlinable init(slot: UInt32) { self.slot = slot }

  public var description: String { "lineage " + String(slot) }
}

/// The reverse map of private anonymous pages: for each *lineage* — the private regions that
/// descend by fork (and split, merge, `mremap`) from one region — the regions, in every
/// address space, that belong to it (issue 12 §3).
///
/// **Why a lineage.** After fork, parent and child map the same copy-on-write frames at the
/// same addresses. Reclaim that finds such a frame cold in one space must find the other
/// leaves to take the frame out of RAM at once. Linux keeps an `anon_vma` per region family
/// (linked at fork through `anon_vma_chain`s, one per region per ancestor) and files each
/// anonymous page under its `anon_vma` and linear page index. Here the family is flatter:
/// each region has a lineage and a *lineage offset* (`Region.lineageOffset`, the lineage page
/// its first page is), given at the first fork of the region as its own page number
/// (`address >> 12`) and kept through fork (the child's copy has the same), split (the upper
/// piece's offset is the page it starts at), merge (offsets must be consecutive, as Linux's
/// `vm_pgoff` must) and `mremap` (a moved region keeps the offsets of its pages). So a frame
/// found at address V of region R is at lineage page `p = R.lineageOffset + (V - R.start) /
/// 4 KiB` in every space that still shares it, and each member covering `p` says the address
/// there. A member's leaf is taken only if it maps the *same frame*: pages first touched
/// after fork are at the same `p` in several members but are different frames.
///
/// **No per-frame state**: the frame's record (`FrameInfo`, 12 bytes) stays as it is; its map
/// count says how many leaves are still to find, so the search stops when it reaches zero.
///
/// **Members in an interval tree** (`ObjectMappingTree`, the same one memory objects use;
/// here an entry's `objectOffset` is the member's lineage offset): O(log n) to add or remove
/// a member, O(log n + k) to find the k covering a page.
///
/// **Bounded**: fork adds a space's region to a lineage only while it has fewer than
/// `memberLimit` members; past that the child's region gets no lineage (and its pages are
/// found as before this map existed: each space's own clock hand unmaps its leaf, and the
/// frame leaves RAM when the last one has). Splits and moves inside one member space are
/// bounded by that space's region limit. Correctness never rests on the map being complete:
/// a leaf not found stays mapped, and the frame stays until its map count reaches zero.
///
/// LOCK: the lineage lock once a second CPU exists (Linux's `anon_vma` rwsem): written under
/// it by region changes of member spaces, read under it by swap-out; then each member
/// space's address-space lock for its leaves, in that order.
public struct AnonymousLineageTable: Sendable {
  /// The most members fork lets one lineage have (Linux's `vm.max_map_count`, the per-space
  /// region limit, applied to the family).
  public static let memberLimit = RegionTable.defaultMaxMapCount

  /// Each lineage's members by slot; an empty tree marks a free slot.
  var lineages: [ObjectMappingTree] = []
  /// Free slots, reused last-freed first.
  var freeSlots: [UInt32] = []

  /// An empty table.
  public init() {}

  /// The live lineages.
  public var count: Int { lineages.count - freeSlots.count }

  /// Whether no lineage exists (no private region was ever forked, or all are gone).
  public var isEmpty: Bool { count == 0 }

  /// The members of lineage `id`.
  public func members(of id: AnonymousLineageID) -> ObjectMappingTree {
    lineages[Int(id.slot)]
  }

  /// How many members lineage `id` has.
  public func memberCount(of id: AnonymousLineageID) -> Int { lineages[Int(id.slot)].count }

  /// A new lineage, without members yet (the caller adds the first at once).
  mutating func create() -> AnonymousLineageID {
    if let slot = freeSlots.popLast() { return AnonymousLineageID(slot: slot) }
    lineages.append(ObjectMappingTree())
    return AnonymousLineageID(slot: UInt32(lineages.count - 1))
  }

  /// Adds `member`, which must not be there yet, to lineage `id`.
  mutating func add(_ member: ObjectMapping, to id: AnonymousLineageID) {
    lineages[Int(id.slot)].insert(member)
  }

  /// Removes `member`, which must be there, from lineage `id`; a lineage left without
  /// members is freed.
  mutating func remove(_ member: ObjectMapping, from id: AnonymousLineageID) {
    lineages[Int(id.slot)].remove(member)
    if lineages[Int(id.slot)].isEmpty {
      lineages[Int(id.slot)] = ObjectMappingTree()  // give the nodes' storage back
      freeSlots.append(id.slot)
    }
  }
}
