/// A memory object's reverse map: every region, in every address space, that maps the
/// object (`ObjectMapping`), as an interval tree over object offsets — Linux's `i_mmap`.
///
/// Why this shape:
/// - **An AVL tree ordered by `ObjectMapping`** (object offset first), each node also keeping
///   the highest object page end of its subtree. Insert and remove are one descent and the
///   rebalancing on the way back, O(log n); the mappings overlapping an offset range are
///   found in O(log n + k): a subtree whose highest end is at or below the range's start, or
///   whose lowest offset (reached going left) is at or past its end, is skipped whole.
/// - **n is regions, not pages.** A page cache object of a shared library is mapped by a few
///   regions of every process that runs it; a shared anonymous object by one region per
///   process after fork, more once `mprotect` splits them. Neither is bounded by the object's
///   size, so a list would make fork and exit O(processes) per region.
/// - **Nodes in one array, linked by slot**, freed slots reused: no allocation per entry once
///   the array has grown, as in `RegionTable`.
///
/// It knows nothing of regions' protections or kinds: only which pages each maps where. The
/// address spaces keep it exact (`AddressSpace+ReverseMap.swift`).
///
/// LOCK: the object's lock once a second CPU exists (Linux's `i_mmap_rwsem`): written under
/// it by region changes, read under it by `unmapObjectPages`.
public struct ObjectMappingTree: Sendable {
  /// The slot meaning "no node".
  static let noNode: Int32 = -1

  /// One mapping and the summary of its subtree.
  struct Node: Sendable {
    var mapping: ObjectMapping
    var left: Int32
    var right: Int32
    var height: Int32
    /// The highest object page end (`objectOffset + pageCount`) in this subtree.
    var highestEnd: UInt64
  }

  var nodes: [Node] = []
  var root = ObjectMappingTree.noNode
  /// Free slots, linked through `left`.
  var freeSlots = ObjectMappingTree.noNode
  /// The mappings held.
  public private(set) var count = 0

  /// An empty map.
  public init() {}

  public var isEmpty: Bool { count == 0 }

  /// Adds `mapping`, which must not be there yet.
  mutating func insert(_ mapping: ObjectMapping) {
    let slot = takeSlot(for: mapping)
    root = insert(slot, into: root)
    count += 1
  }

  /// Removes `mapping`, which must be there.
  mutating func remove(_ mapping: ObjectMapping) {
    var removed = ObjectMappingTree.noNode
    root = remove(mapping, from: root, removed: &removed)
    precondition(removed != ObjectMappingTree.noNode, "a reverse-map entry that was never added")
    nodes[Int(removed)].left = freeSlots
    freeSlots = removed
    count -= 1
  }

  /// The mappings that map at least one of object pages `offsets`, in order.
  public func overlapping(_ offsets: Range<UInt64>) -> [ObjectMapping] {
    var found: [ObjectMapping] = []
    guard !offsets.isEmpty else { return found }
    collect(overlapping: offsets, from: root, into: &found)
    return found
  }

  /// Every mapping, in order (audits and tests).
  public var all: [ObjectMapping] { overlapping(0..<UInt64.max) }
}

extension ObjectMappingTree {
  @inline(__always) func height(_ node: Int32) -> Int32 {
    node == ObjectMappingTree.noNode ? 0 : nodes[Int(node)].height
  }

  @inline(__always) func highestEnd(_ node: Int32) -> UInt64 {
    node == ObjectMappingTree.noNode ? 0 : nodes[Int(node)].highestEnd
  }

  /// A node for `mapping`, in a reused slot when there is one.
  mutating func takeSlot(for mapping: ObjectMapping) -> Int32 {
    let node = Node(
      mapping: mapping, left: ObjectMappingTree.noNode, right: ObjectMappingTree.noNode,
      height: 1, highestEnd: mapping.objectPages.upperBound)
    if freeSlots != ObjectMappingTree.noNode {
      let slot = freeSlots
      freeSlots = nodes[Int(slot)].left
      nodes[Int(slot)] = node
      return slot
    }
    nodes.append(node)
    return Int32(nodes.count - 1)
  }

  /// Recomputes `node`'s height and highest end from its children.
  mutating func refresh(_ node: Int32) {
    let index = Int(node)
    let left = nodes[index].left
    let right = nodes[index].right
    nodes[index].height = max(height(left), height(right)) + 1
    nodes[index].highestEnd = max(
      nodes[index].mapping.objectPages.upperBound, max(highestEnd(left), highestEnd(right)))
  }

  mutating func rotateRight(_ node: Int32) -> Int32 {
    let pivot = nodes[Int(node)].left
    nodes[Int(node)].left = nodes[Int(pivot)].right
    nodes[Int(pivot)].right = node
    refresh(node)
    refresh(pivot)
    return pivot
  }

  mutating func rotateLeft(_ node: Int32) -> Int32 {
    let pivot = nodes[Int(node)].right
    nodes[Int(node)].right = nodes[Int(pivot)].left
    nodes[Int(pivot)].left = node
    refresh(node)
    refresh(pivot)
    return pivot
  }

  /// Refreshes `node` and restores the AVL balance there; the subtree's new root.
  mutating func rebalance(_ node: Int32) -> Int32 {
    refresh(node)
    let left = nodes[Int(node)].left
    let right = nodes[Int(node)].right
    let balance = height(left) - height(right)
    if balance > 1 {
      if height(nodes[Int(left)].left) < height(nodes[Int(left)].right) {
        nodes[Int(node)].left = rotateLeft(left)
      }
      return rotateRight(node)
    }
    if balance < -1 {
      if height(nodes[Int(right)].right) < height(nodes[Int(right)].left) {
        nodes[Int(node)].right = rotateRight(right)
      }
      return rotateLeft(node)
    }
    return node
  }

  mutating func insert(_ slot: Int32, into node: Int32) -> Int32 {
    guard node != ObjectMappingTree.noNode else { return slot }
    let mapping = nodes[Int(slot)].mapping
    let here = nodes[Int(node)].mapping
    precondition(mapping != here, "a reverse-map entry added twice")
    if mapping < here {
      nodes[Int(node)].left = insert(slot, into: nodes[Int(node)].left)
    } else {
      nodes[Int(node)].right = insert(slot, into: nodes[Int(node)].right)
    }
    return rebalance(node)
  }

  mutating func remove(
    _ mapping: ObjectMapping, from node: Int32, removed: inout Int32
  ) -> Int32 {
    guard node != ObjectMappingTree.noNode else { return node }
    let here = nodes[Int(node)].mapping
    if mapping < here {
      nodes[Int(node)].left = remove(mapping, from: nodes[Int(node)].left, removed: &removed)
      return rebalance(node)
    }
    if here < mapping {
      nodes[Int(node)].right = remove(mapping, from: nodes[Int(node)].right, removed: &removed)
      return rebalance(node)
    }
    removed = node
    let left = nodes[Int(node)].left
    let right = nodes[Int(node)].right
    guard left != ObjectMappingTree.noNode else { return right }
    guard right != ObjectMappingTree.noNode else { return left }
    // Two children: the successor (the right subtree's lowest) takes this node's place.
    var successor = ObjectMappingTree.noNode
    let rest = removeLowest(from: right, lowest: &successor)
    nodes[Int(successor)].left = left
    nodes[Int(successor)].right = rest
    return rebalance(successor)
  }

  /// Unlinks the lowest node of the subtree at `node` into `lowest`; the subtree's new root.
  mutating func removeLowest(from node: Int32, lowest: inout Int32) -> Int32 {
    let left = nodes[Int(node)].left
    guard left != ObjectMappingTree.noNode else {
      lowest = node
      return nodes[Int(node)].right
    }
    nodes[Int(node)].left = removeLowest(from: left, lowest: &lowest)
    return rebalance(node)
  }

  func collect(
    overlapping offsets: Range<UInt64>, from node: Int32, into found: inout [ObjectMapping]
  ) {
    // Nothing in this subtree ends after the range starts: skip it whole.
    guard node != ObjectMappingTree.noNode, highestEnd(node) > offsets.lowerBound else { return }
    let current = nodes[Int(node)]
    collect(overlapping: offsets, from: current.left, into: &found)
    // Everything to the right starts at or after this node: past the range, so is the rest.
    guard current.mapping.objectOffset < offsets.upperBound else { return }
    if current.mapping.objectPages.upperBound > offsets.lowerBound { found.append(current.mapping) }
    collect(overlapping: offsets, from: current.right, into: &found)
  }

  /// Whether every node's height and highest end match its children and the order holds
  /// (tests).
  public var isConsistent: Bool {
    var previous: ObjectMapping? = nil
    var ordered = true
    var counted = 0
    func visit(_ node: Int32) -> (height: Int32, end: UInt64)? {
      guard node != ObjectMappingTree.noNode else { return (0, 0) }
      let current = nodes[Int(node)]
      guard let left = visit(current.left) else { return nil }
      if let previous, !(previous < current.mapping) { ordered = false }
      previous = current.mapping
      counted += 1
      guard let right = visit(current.right) else { return nil }
      guard abs(Int(left.height) - Int(right.height)) <= 1,
        current.height == max(left.height, right.height) + 1,
        current.highestEnd == max(current.mapping.objectPages.upperBound, max(left.end, right.end))
      else { return nil }
      return (current.height, current.highestEnd)
    }
    return visit(root) != nil && ordered && counted == count
  }
}
