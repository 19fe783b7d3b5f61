/// The regions of an address space in address order: an AVL tree ordered by position, with
/// every operation a program can trigger in O(log n).
///
/// A process chooses how many regions it has (one-page mappings with gaps between them cost it
/// nothing), so a table with O(n) steps — the sorted array this replaces — lets one program make
/// every `mmap`, `munmap` and `mprotect` slow: 100,000 regions and one `munmap` of them took 54 s.
///
/// Why this shape:
/// - **Positions, not keys.** The address-space code walks regions by index (`regions[index]`,
///   `insert(_:at:)`, `remove(at:)`, neighbours at `index ± 1`); each node keeps the size of
///   its subtree (an order-statistic tree), so an index is found in one descent and those
///   loops keep their shape, each step O(log n). `firstIndex(endingAfter:)` is the address
///   lookup, also one descent.
/// - **Widest gap per subtree.** Each node also keeps the first start, the last end and the
///   widest gap between consecutive regions of its subtree, all computed from its two children
///   alone, so `lastIndex(afterGapOf:below:floor:)` (mmap placement) skips every subtree too
///   crowded to hold the request: O(log n) however many small gaps a program makes. Linux's
///   red-black VMA tree kept the same augmentation (`rb_subtree_gap`) before the maple tree.
/// - **AVL, not a B-tree or a treap.** A B-tree (Linux's maple tree) is kinder to caches but
///   splitting, borrowing and merging nodes with counts and gaps is several times the code;
///   a treap is simpler but only balanced in expectation. AVL bounds the height by
///   1.44 log2(n) — 23 levels at the region limit — deterministically.
/// - **Nodes in one array, linked by slot number.** No allocation per region (the kernel heap
///   sees one growing array, as before), freed slots are reused, and copying the table copies
///   the array on write, so `AddressSpace` keeps value semantics.
///
/// The total charge of all regions is kept as they come and go, so `committedFrames` is O(1).
/// A slot number stays attached to its region until the region is removed or the table is
/// rebuilt (`removeSubrange` of many regions); `region(inSlot:containing:)` lets the page trap
/// check a remembered slot in O(1).
///
/// The table does not check that its regions are sorted and disjoint — the address space does
/// that — and tolerates a transient overlap (a region grown over its neighbour just before the
/// neighbour is removed, as merging does): gaps are then counted as zero.
public struct RegionTable: Sequence {
  /// The slot number meaning "no node".
  static let noNode = -1
  /// `removeSubrange` rebuilds the tree instead of removing one by one when it removes more
  /// than a `1 / rebuildDivisor` share of the regions (then O(n) beats O(k log n)), and more
  /// than `fewRemovals` (below that, one by one is cheap and allocates nothing).
  static let rebuildDivisor = 16
  static let fewRemovals = 8

  /// One region and the summary of its subtree.
  struct Node {
    var region: Region
    var left: Int
    var right: Int
    /// Regions in this subtree; 0 marks a free slot.
    var size: Int
    var height: Int
    /// The start of the subtree's first region and the end of its last.
    var lowest: UInt64
    var highest: UInt64
    /// The widest gap between two consecutive regions of the subtree (0 for one region).
    var widestGap: UInt64
  }

  var nodes: [Node] = []
  var root = RegionTable.noNode
  /// Free slots, linked through `left`.
  var freeSlots = RegionTable.noNode
  /// The sum of every region's `charge`.
  public internal(set) var totalCharge: UInt64 = 0

  /// An empty table.
  public init() {}

  /// A table of `regions`, which must be sorted and disjoint; O(n).
  public init<Regions: Sequence>(_ regions: Regions) where Regions.Element == Region {
    rebuild(from: Array(regions))
  }

  /// The number of regions.
  public var count: Int {
    // Through the buffer (no out-of-line checked subscript): every `regions[i]` asks this.
    root == RegionTable.noNode ? 0 : nodes.withUnsafeBufferPointer { $0[root].size }
  }

  public var isEmpty: Bool { root == RegionTable.noNode }

  public var underestimatedCount: Int { count }

  /// The region at position `index` (0 is the lowest). Setting it keeps the summaries right
  /// whatever changed; a change that leaves the range alone (protection, charge) costs one
  /// descent.
  public subscript(index: Int) -> Region {
    get {
      let slot = slot(at: index)
      return nodes.withUnsafeBufferPointer { $0[slot].region }
    }
    set {
      let slot = slot(at: index)
      let old = nodes[slot].region
      nodes[slot].region = newValue
      totalCharge = totalCharge - old.charge + newValue.charge
      if old.range != newValue.range { refreshPath(to: index, in: root) }
    }
  }

  /// Inserts `region` so that it becomes position `index`.
  public mutating func insert(_ region: Region, at index: Int) {
    precondition(index >= 0 && index <= count, "region index out of range")
    let slot = takeSlot(for: region)
    root = insert(slot, at: index, into: root)
    totalCharge += region.charge
  }

  /// Removes and returns the region at position `index`.
  @discardableResult
  public mutating func remove(at index: Int) -> Region {
    precondition(index >= 0 && index < count, "region index out of range")
    var removed = RegionTable.noNode
    root = remove(at: index, from: root, removed: &removed)
    let region = nodes[removed].region
    releaseSlot(removed)
    totalCharge -= region.charge
    return region
  }

  /// Removes the regions at `positions`: O(k log n) for a few, O(n) for many.
  public mutating func removeSubrange(_ positions: Range<Int>) {
    precondition(positions.lowerBound >= 0 && positions.upperBound <= count, "bad region range")
    guard !positions.isEmpty else { return }
    if positions.count <= Swift.max(count / RegionTable.rebuildDivisor, RegionTable.fewRemovals) {
      for _ in positions { remove(at: positions.lowerBound) }
      return
    }
    var kept: [Region] = []
    kept.reserveCapacity(count - positions.count)
    var index = 0
    for region in self {
      if !positions.contains(index) { kept.append(region) }
      index += 1
    }
    rebuild(from: kept)
  }

  /// Removes every region and gives the node storage back.
  public mutating func removeAll() {
    nodes = []
    root = RegionTable.noNode
    freeSlots = RegionTable.noNode
    totalCharge = 0
  }

  /// The position of the first region whose end is above `address` (`count` if none): the
  /// region containing `address`, or else the first one after it.
  public func firstIndex(endingAfter address: UInt64) -> Int {
    let count = count
    return nodes.withUnsafeBufferPointer { nodes in  // as `slot(at:)`: no checked subscript
      var node = root
      var skipped = 0
      var found = count
      while node != RegionTable.noNode {
        let left = nodes[node].left
        let leftSize = left == RegionTable.noNode ? 0 : nodes[left].size
        if nodes[node].region.range.end <= address {
          skipped += leftSize + 1
          node = nodes[node].right
        } else {
          found = skipped + leftSize
          node = left
        }
      }
      return found
    }
  }

  /// The region containing `address` and the slot that holds it, for `region(inSlot:…)`.
  public func slot(containing address: UInt64) -> (slot: Int, region: Region)? {
    // Not through the buffer as the others: returning the optional tuple out of its closure
    // cost more than the checked subscripts it saved (futex keys ask this of every call).
    var node = root
    while node != RegionTable.noNode {
      let range = nodes[node].region.range
      if range.end <= address {
        node = nodes[node].right
      } else if range.start > address {
        node = nodes[node].left
      } else {
        return (node, nodes[node].region)
      }
    }
    return nil
  }

  /// The region in `slot` if it still exists and contains `address`; O(1). Regions never
  /// overlap, so a live region that contains `address` is the right one, whatever happened to
  /// the table since the slot was remembered.
  ///
  /// Through the array's buffer: every demand fault asks this first, and the checked
  /// subscript's out-of-line call made the compiler retain and release the node storage
  /// around it.
  public func region(inSlot slot: Int, containing address: UInt64) -> Region? {
    nodes.withUnsafeBufferPointer { nodes in
      guard slot >= 0, slot < nodes.count, nodes[slot].size != 0,
        nodes[slot].region.range.contains(address)
      else { return nil }
      return nodes[slot].region
    }
  }
}

extension Region {
  /// A region with these fields: for building tables outside the address space (tests, tools).
  public init(_ range: VirtualRange, protection: Protection, kind: RegionKind, charge: UInt64) {
    self.init(range: range, protection: protection, kind: kind, charge: charge)
  }
}
