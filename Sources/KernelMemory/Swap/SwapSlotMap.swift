/// The slots of the swap area and who holds them: Linux's `swap_map`, the seed's bitmap idea
/// with a count per slot instead of a bit.
///
/// Each slot has a reference count — the leaves and object index entries holding its swap
/// entry (fork's copy of a page table adds one per entry it copies; a leaf in a page table
/// fork shares counts once, as a frame's `mapCount` does) — plus, beside it, the frame that
/// caches the slot (the swap cache, `SwapArea`). A slot is free when no entry refers to it
/// and nothing else holds it — a frame under I/O, or a clean copy the swap cache keeps after
/// its last entry was mapped (`SlotHolds`); bad slots (from the header) and slot 0 (the header) are
/// marked `unusable` and never handed out.
///
/// **Clusters.** Slots are handed out in clusters of `clusterSize`: allocation continues
/// after the last slot it gave while that cluster has room, and otherwise moves to the next
/// wholly free cluster (then to any cluster with room), so the pages of one swap-out batch
/// land in neighbouring slots and go to the disk as one transfer (Linux's
/// `SWAPFILE_CLUSTER`, also 256). Each cluster's free count is kept, so a full cluster is
/// skipped in O(1): an allocation costs O(slots / clusterSize + clusterSize) at worst, O(1)
/// while the current cluster has room; everything else is O(1).
///
/// Storage: 5 bytes per slot on the kernel heap (a count and the holds: 1.25 MiB per GiB of
/// swap), allocated once when the area is attached; 4 bytes per cluster.
///
/// LOCK: the swap lock (Linux's `swap_info_struct.lock`) once a second CPU exists: allocation,
/// reference counts and the cache links change under it.
public struct SwapSlotMap: Sendable {
  /// Slots per cluster.
  public static let clusterSize = 256
  /// The reference count marking a slot that is never handed out (the header, bad slots).
  static let unusable = UInt32.max

  /// Reference counts by slot number (`unusable` for the header and bad slots).
  private var references: [UInt32]
  /// What besides entries holds each slot (which keeps it allocated at count zero).
  private var holds: [SlotHolds]
  /// Free slots per cluster.
  private var clusterFree: [UInt16]
  /// Usable slots per cluster (its free count when empty).
  private let clusterCapacity: [UInt16]
  /// Where the next allocation looks first.
  private var cursor: Int = 1
  /// Slots in the area, the header included.
  public let slotCount: Int
  /// Slots that can hold pages (neither the header nor bad).
  public let usableSlots: Int
  /// Slots in use now.
  public private(set) var usedSlots: Int = 0

  /// A map of `slotCount` slots (the header's `last_page + 1`) of which `badSlots` are bad.
  public init(slotCount: Int, badSlots: [UInt32] = []) {
    precondition(slotCount >= 1 && slotCount <= Int(UInt32.max), "swap area size out of range")
    self.slotCount = slotCount
    references = [UInt32](repeating: 0, count: slotCount)
    holds = [SlotHolds](repeating: [], count: slotCount)
    let clusters = (slotCount + Self.clusterSize - 1) / Self.clusterSize
    clusterFree = [UInt16](repeating: 0, count: clusters)
    references[0] = Self.unusable
    for bad in badSlots where Int(bad) < slotCount { references[Int(bad)] = Self.unusable }
    var usable = 0
    for slot in 0..<slotCount where references[slot] != Self.unusable {
      clusterFree[slot / Self.clusterSize] += 1
      usable += 1
    }
    usableSlots = usable
    clusterCapacity = clusterFree
  }

  /// Free slots now.
  public var freeSlots: Int { usableSlots - usedSlots }

  /// How many entries hold `slot`'s swap entry.
  public func references(of slot: SwapSlot) -> UInt32 {
    let count = references[Int(slot.number)]
    precondition(count != Self.unusable, "an unusable swap slot is referenced")
    return count
  }

  /// Whether `slot` is in use (referenced, or held by a frame under I/O).
  public func isInUse(_ slot: SwapSlot) -> Bool {
    let index = Int(slot.number)
    guard index > 0, index < slotCount, references[index] != Self.unusable else { return false }
    return references[index] > 0 || !holds[index].isEmpty
  }

  /// A free slot, now in use with one reference and held by I/O (the swap-out that takes it
  /// writes it next), or nil when the area is full.
  mutating func allocate() -> SwapSlot? {
    guard usedSlots < usableSlots else { return nil }
    let index = isFree(cursor) ? cursor : findFree()
    references[index] = 1
    holds[index] = .io
    clusterFree[index / Self.clusterSize] -= 1
    usedSlots += 1
    cursor = index + 1 < slotCount ? index + 1 : 1
    return SwapSlot(number: UInt32(index))
  }

  /// One more entry holds `slot` (fork's copy of a table, a swap-out of another leaf of a
  /// frame the slot caches).
  mutating func retain(_ slot: SwapSlot) {
    let index = Int(slot.number)
    precondition(isInUse(slot), "retaining a free swap slot")
    precondition(references[index] < Self.unusable - 1, "swap slot reference count overflow")
    references[index] += 1
  }

  /// One entry fewer holds `slot`. Returns the count left; at zero the slot is free unless a
  /// frame under I/O holds it (`endIO` frees it then).
  mutating func release(_ slot: SwapSlot) -> UInt32 {
    let index = Int(slot.number)
    precondition(
      references[index] > 0 && references[index] != Self.unusable,
      "releasing a swap slot no entry holds")
    references[index] -= 1
    if references[index] == 0, holds[index].isEmpty { free(index) }
    return references[index]
  }

  /// A frame under I/O (a read into the swap cache) holds `slot`.
  mutating func beginIO(_ slot: SwapSlot) {
    precondition(isInUse(slot), "I/O on a free swap slot")
    holds[Int(slot.number)].insert(.io)
  }

  /// The I/O on `slot` ended; the slot is freed if no entry holds it any more. Returns whether
  /// it was.
  mutating func endIO(_ slot: SwapSlot) -> Bool {
    let index = Int(slot.number)
    precondition(holds[index].contains(.io), "ending I/O no frame began")
    return drop(.io, index)
  }

  /// Whether I/O holds `slot`.
  func isHeldByIO(_ slot: SwapSlot) -> Bool { holds[Int(slot.number)].contains(.io) }

  /// The swap cache keeps `slot` for the clean copy of its page a fault mapped when the last
  /// entry went (`AddressSpace.mapSwapCached`): evicting that copy again owes no write.
  mutating func holdForCache(_ slot: SwapSlot) {
    precondition(isInUse(slot), "the cache holding a free swap slot")
    holds[Int(slot.number)].insert(.cache)
  }

  /// Whether the swap cache holds `slot` (its copy stays findable with no entry left).
  func isHeldByCache(_ slot: SwapSlot) -> Bool { holds[Int(slot.number)].contains(.cache) }

  /// The swap cache's copy of `slot` left the cache (freed, written over, or the slot given
  /// up); the slot is freed if nothing else holds it. Returns whether it was. Nothing happens
  /// when the cache did not hold it.
  @discardableResult
  mutating func releaseCacheHold(_ slot: SwapSlot) -> Bool {
    let index = Int(slot.number)
    guard holds[index].contains(.cache) else { return false }
    return drop(.cache, index)
  }

  /// Drops `hold` of slot `index`, freeing the slot when nothing holds it any more.
  private mutating func drop(_ hold: SlotHolds, _ index: Int) -> Bool {
    holds[index].remove(hold)
    guard references[index] == 0, holds[index].isEmpty else { return false }
    free(index)
    return true
  }

  private func isFree(_ index: Int) -> Bool { references[index] == 0 && holds[index].isEmpty }

  private mutating func free(_ index: Int) {
    clusterFree[index / Self.clusterSize] += 1
    usedSlots -= 1
  }

  /// The first free slot of the first wholly free cluster after the cursor's (wrapping), else
  /// of the first with any room; the caller checked one exists.
  private func findFree() -> Int {
    let clusters = clusterFree.count
    let here = cursor / Self.clusterSize
    var chosen = -1
    for step in 1...clusters {
      let cluster = (here + step) % clusters
      if clusterFree[cluster] == clusterCapacity[cluster], clusterFree[cluster] > 0 {
        chosen = cluster
        break
      }
      if chosen < 0, clusterFree[cluster] > 0 { chosen = cluster }
    }
    precondition(chosen >= 0, "the swap slot counts disagree")
    let first = chosen * Self.clusterSize
    for index in first..<min(first + Self.clusterSize, slotCount) where isFree(index) {
      return index
    }
    preconditionFailure("a cluster's free count disagrees with its slots")
  }
}

/// What holds a swap slot besides the entries that refer to it (`SwapSlotMap`).
struct SlotHolds: OptionSet, Sendable {
  let rawValue: UInt8
  /// A frame under I/O: the write that fills the slot or a read from it.
  static let io = SlotHolds(rawValue: 1 << 0)
  /// The swap cache keeps a clean copy of the slot's page, mapped by a leaf that no longer
  /// holds the entry (Linux's `SWAP_HAS_CACHE` for a page swapped in but not written since).
  static let cache = SlotHolds(rawValue: 1 << 1)
}
