/// The AVL machinery of `RegionTable`: slots, subtree summaries, rotations, and the recursive
/// insert and remove by position. Recursion depth is the tree's height (at most 1.44 log2(n)).
extension RegionTable {
  // MARK: Slots

  /// A slot holding `region` as a one-node subtree: a freed one if any, else a new one.
  mutating func takeSlot(for region: Region) -> Int {
    let node = Node(
      region: region, left: RegionTable.noNode, right: RegionTable.noNode, size: 1, height: 1,
      lowest: region.range.start, highest: region.range.end, widestGap: 0)
    guard freeSlots != RegionTable.noNode else {
      nodes.append(node)
      return nodes.count - 1
    }
    let slot = freeSlots
    freeSlots = nodes[slot].left
    nodes[slot] = node
    return slot
  }

  /// Puts `slot` on the free list; `size == 0` marks it free for `region(inSlot:…)`.
  mutating func releaseSlot(_ slot: Int) {
    nodes[slot].size = 0
    nodes[slot].left = freeSlots
    freeSlots = slot
  }

  // MARK: Summaries

  func size(of node: Int) -> Int { node == RegionTable.noNode ? 0 : nodes[node].size }

  func height(of node: Int) -> Int { node == RegionTable.noNode ? 0 : nodes[node].height }

  /// `later - earlier`, or 0 when they overlap (transiently, while regions merge).
  static func gap(from earlier: UInt64, to later: UInt64) -> UInt64 {
    later > earlier ? later - earlier : 0
  }

  /// Recomputes `node`'s size, height, bounds and widest gap from its children, in place.
  ///
  /// The tree's hottest step (every level of every insert, remove and range change): it reads
  /// only the child fields it needs, through the storage's base pointer. Copying whole nodes
  /// through the array (`summarized`) cost the kernel's `mmap` + `munmap` of one page about
  /// 4,000 instructions — most of the region tree's regression. Every slot number here is one
  /// the tree handed out, so every access is inside the storage.
  mutating func summarize(_ node: Int) {
    nodes.withUnsafeMutableBufferPointer { buffer in
      let base = buffer.baseAddress!
      let this = base + node
      let range = this.pointee.region.range
      var size = 1
      var height = 1
      var lowest = range.start
      var highest = range.end
      var widestGap: UInt64 = 0
      let left = this.pointee.left
      if left != RegionTable.noNode {
        let child = base + left
        size += child.pointee.size
        height = child.pointee.height + 1
        lowest = child.pointee.lowest
        widestGap = Swift.max(
          child.pointee.widestGap, Self.gap(from: child.pointee.highest, to: range.start))
      }
      let right = this.pointee.right
      if right != RegionTable.noNode {
        let child = base + right
        size += child.pointee.size
        height = Swift.max(height, child.pointee.height + 1)
        highest = child.pointee.highest
        widestGap = Swift.max(
          widestGap, child.pointee.widestGap, Self.gap(from: range.end, to: child.pointee.lowest))
      }
      this.pointee.size = size
      this.pointee.height = height
      this.pointee.lowest = lowest
      this.pointee.highest = highest
      this.pointee.widestGap = widestGap
    }
  }

  /// `node` with its size, height, bounds and widest gap computed from its children (the
  /// consistency check's reference for `summarize`).
  func summarized(_ node: Int) -> Node {
    var result = nodes[node]
    let range = result.region.range
    result.size = 1
    result.height = 1
    result.lowest = range.start
    result.highest = range.end
    result.widestGap = 0
    if result.left != RegionTable.noNode {
      let left = nodes[result.left]
      result.size += left.size
      result.height = left.height + 1
      result.lowest = left.lowest
      result.widestGap = Swift.max(left.widestGap, Self.gap(from: left.highest, to: range.start))
    }
    if result.right != RegionTable.noNode {
      let right = nodes[result.right]
      result.size += right.size
      result.height = Swift.max(result.height, right.height + 1)
      result.highest = right.highest
      result.widestGap = Swift.max(
        result.widestGap, right.widestGap, Self.gap(from: range.end, to: right.lowest))
    }
    return result
  }

  /// Re-summarizes every node from the root down to position `index` (after its range changed).
  mutating func refreshPath(to index: Int, in node: Int) {
    let leftSize = size(of: nodes[node].left)
    if index < leftSize {
      refreshPath(to: index, in: nodes[node].left)
    } else if index > leftSize {
      refreshPath(to: index - leftSize - 1, in: nodes[node].right)
    }
    summarize(node)
  }

  /// The slot of the region at position `index`: one descent.
  ///
  /// Through the array's buffer, field by field: a whole node copied per level, and the
  /// checked subscript's out-of-line call per read (with the storage retained around it), were
  /// most of this descent's cost — and `mprotect` makes a dozen of them.
  func slot(at index: Int) -> Int {
    precondition(index >= 0 && index < count, "region index out of range")
    return nodes.withUnsafeBufferPointer { nodes in
      var node = root
      var remaining = index
      while true {
        let left = nodes[node].left
        let leftSize = left == RegionTable.noNode ? 0 : nodes[left].size
        if remaining < leftSize {
          node = left
        } else if remaining == leftSize {
          return node
        } else {
          remaining -= leftSize + 1
          node = nodes[node].right
        }
      }
    }
  }

  // MARK: Balance

  /// Summarizes `node` and restores the AVL property there (children heights differ by at
  /// most one); returns the subtree's new root.
  mutating func rebalance(_ node: Int) -> Int {
    summarize(node)
    let left = nodes[node].left
    let right = nodes[node].right
    let skew = height(of: left) - height(of: right)
    if skew > 1 {
      if height(of: nodes[left].right) > height(of: nodes[left].left) {
        let lifted = rotateLeft(left)
        nodes[node].left = lifted
      }
      return rotateRight(node)
    }
    if skew < -1 {
      if height(of: nodes[right].left) > height(of: nodes[right].right) {
        let lifted = rotateRight(right)
        nodes[node].right = lifted
      }
      return rotateLeft(node)
    }
    return node
  }

  /// Lifts `node`'s left child above it.
  mutating func rotateRight(_ node: Int) -> Int {
    let pivot = nodes[node].left
    nodes[node].left = nodes[pivot].right
    summarize(node)
    nodes[pivot].right = node
    summarize(pivot)
    return pivot
  }

  /// Lifts `node`'s right child above it.
  mutating func rotateLeft(_ node: Int) -> Int {
    let pivot = nodes[node].right
    nodes[node].right = nodes[pivot].left
    summarize(node)
    nodes[pivot].left = node
    summarize(pivot)
    return pivot
  }

  // MARK: Insert and remove by position

  /// Inserts the one-node `slot` at position `index` of the subtree at `node`; returns the
  /// subtree's new root.
  mutating func insert(_ slot: Int, at index: Int, into node: Int) -> Int {
    guard node != RegionTable.noNode else { return slot }
    let leftSize = size(of: nodes[node].left)
    if index <= leftSize {
      let left = insert(slot, at: index, into: nodes[node].left)
      nodes[node].left = left
    } else {
      let right = insert(slot, at: index - leftSize - 1, into: nodes[node].right)
      nodes[node].right = right
    }
    return rebalance(node)
  }

  /// Unlinks position `index` of the subtree at `node` (its slot into `removed`); returns the
  /// subtree's new root.
  mutating func remove(at index: Int, from node: Int, removed: inout Int) -> Int {
    let leftSize = size(of: nodes[node].left)
    if index < leftSize {
      let left = remove(at: index, from: nodes[node].left, removed: &removed)
      nodes[node].left = left
      return rebalance(node)
    }
    if index > leftSize {
      let right = remove(at: index - leftSize - 1, from: nodes[node].right, removed: &removed)
      nodes[node].right = right
      return rebalance(node)
    }
    removed = node
    let left = nodes[node].left
    let right = nodes[node].right
    guard left != RegionTable.noNode else { return right }
    guard right != RegionTable.noNode else { return left }
    // Two children: the successor (the right subtree's first node) takes the node's place.
    var successor = RegionTable.noNode
    let rest = removeFirst(from: right, removed: &successor)
    nodes[successor].left = left
    nodes[successor].right = rest
    return rebalance(successor)
  }

  /// Unlinks the first node of the subtree at `node` (into `removed`); returns the new root.
  mutating func removeFirst(from node: Int, removed: inout Int) -> Int {
    let left = nodes[node].left
    guard left != RegionTable.noNode else {
      removed = node
      return nodes[node].right
    }
    let newLeft = removeFirst(from: left, removed: &removed)
    nodes[node].left = newLeft
    return rebalance(node)
  }

  // MARK: Bulk

  /// Replaces the contents with `sorted`, as a perfectly balanced tree: O(n).
  mutating func rebuild(from sorted: [Region]) {
    nodes.removeAll(keepingCapacity: true)
    nodes.reserveCapacity(sorted.count)
    freeSlots = RegionTable.noNode
    totalCharge = 0
    for region in sorted {
      _ = takeSlot(for: region)
      totalCharge += region.charge
    }
    root = build(slots: 0..<sorted.count)
  }

  /// Links slots `slots` (already in order) into a balanced subtree; returns its root.
  mutating func build(slots: Range<Int>) -> Int {
    guard !slots.isEmpty else { return RegionTable.noNode }
    let middle = slots.lowerBound + slots.count / 2
    let left = build(slots: slots.lowerBound..<middle)
    let right = build(slots: (middle + 1)..<slots.upperBound)
    nodes[middle].left = left
    nodes[middle].right = right
    summarize(middle)
    return middle
  }
}
