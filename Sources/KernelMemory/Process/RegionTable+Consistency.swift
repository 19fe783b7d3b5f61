/// A self-check of `RegionTable` for tests: what every operation must preserve.
extension RegionTable {
  /// Whether every node's size, height, bounds and widest gap match its children, every node
  /// is AVL-balanced, and `totalCharge` is the sum of the charges. O(n).
  public func isConsistent() -> Bool {
    var charge: UInt64 = 0
    guard let checked = check(root, charge: &charge) else { return false }
    return checked == count && charge == totalCharge
  }

  /// Checks the subtree at `node`, adding its charges to `charge`; its size, or nil.
  func check(_ node: Int, charge: inout UInt64) -> Int? {
    guard node != RegionTable.noNode else { return 0 }
    let saved = nodes[node]
    guard let leftSize = check(saved.left, charge: &charge),
      let rightSize = check(saved.right, charge: &charge)
    else { return nil }
    charge += saved.region.charge
    let expected = summarized(node)
    let skew = height(of: saved.left) - height(of: saved.right)
    guard leftSize + rightSize + 1 == saved.size, expected.size == saved.size,
      expected.height == saved.height, expected.lowest == saved.lowest,
      expected.highest == saved.highest, expected.widestGap == saved.widestGap,
      skew >= -1, skew <= 1
    else { return nil }
    return saved.size
  }
}
