/// In-order iteration over `RegionTable`: every region, lowest first, O(n) in all.
extension RegionTable {
  /// Walks the tree with a stack of the nodes whose regions come next (at most its height).
  public struct Iterator: IteratorProtocol {
    let table: RegionTable
    var pending: [Int] = []

    init(_ table: RegionTable) {
      self.table = table
      pending.reserveCapacity(table.height(of: table.root))
      descendLeft(from: table.root)
    }

    /// Pushes `node` and its chain of left children.
    mutating func descendLeft(from node: Int) {
      var node = node
      while node != RegionTable.noNode {
        pending.append(node)
        node = table.nodes[node].left
      }
    }

    public mutating func next() -> Region? {
      guard let node = pending.popLast() else { return nil }
      descendLeft(from: table.nodes[node].right)
      return table.nodes[node].region
    }
  }

  public func makeIterator() -> Iterator { Iterator(self) }
}
