extension PhysicalMemoryContext {
  /// Removes every leaf, in every address space, that maps a page of object `id` among
  /// `offsets` (object pages) — what a hole punched in the object (`MADV_REMOVE`), a file
  /// truncated below them or reclaim of their frames needs before the pages leave the
  /// object. The object keeps the pages: the caller then drops them from its index (no leaf
  /// maps them any more, so each frame can be freed at once) or refills them.
  ///
  /// The object's reverse map (`ObjectMappingTree`) names the regions overlapping `offsets`,
  /// O(log n + k); each one's space unmaps its part (`AddressSpace.unmapObjectLeaves`:
  /// fork's shared tables unshared first, resident counts kept, a TLB flush naming that
  /// space). Private copies of the pages (a write to a private mapping) are not the object's
  /// and stay. Regions, commit and the object's size do not change; the next touch of such a
  /// page faults it in again from the object.
  ///
  /// LOCK: the object's lock (its reverse map) across the loop, each space's address-space
  /// lock around its part — once a second CPU exists, in that order.
  public func unmapObjectPages(_ id: MemoryObjectID, offsets: Range<UInt64>) {
    guard !offsets.isEmpty else { return }
    for mapping in objects[id].reverseMap.overlapping(offsets) {
      spaces[mapping.space].unmapObjectPages(mapping, offsets)
    }
  }

  /// What is wrong with the reverse maps, given every live address space on this context
  /// (`spaces`): entries with no region behind them, object regions missing from their
  /// object's map, and objects whose map is malformed or disagrees with their hold count
  /// (`mappings` = the regions mapping them + 1 while the page cache keeps them). Clean
  /// when the maps are exact. For tests and debug checks: O((objects + regions) log regions).
  public func reverseMapAudit<Memory: PhysicalMemoryAccess, TLB: TranslationCache>(
    of spaces: [AddressSpace<Memory, TLB, Frames>]
  ) -> ReverseMapAudit {
    var expected: [(object: UInt32, mapping: ObjectMapping)] = []
    for space in spaces {
      for region in space.regions {
        guard let object = region.object else { continue }
        expected.append((object.slot, ObjectMapping(region, in: space.spaceID)))
      }
    }
    expected.sort { $0.object != $1.object ? $0.object < $1.object : $0.mapping < $1.mapping }
    var audit = ReverseMapAudit()
    var cursor = 0
    for id in objects.ids {
      while cursor < expected.count, expected[cursor].object < id.slot {
        audit.missing.append(expected[cursor].mapping)  // a region of a dead object
        cursor += 1
      }
      var wanted: [ObjectMapping] = []
      while cursor < expected.count, expected[cursor].object == id.slot {
        wanted.append(expected[cursor].mapping)
        cursor += 1
      }
      let object = objects[id]
      audit.compare(recorded: object.reverseMap.all, wanted: wanted)
      let cacheHold = pageCache.entries.contains { $0.object == id } ? 1 : 0
      if !object.reverseMap.isConsistent || object.mappings != object.reverseMap.count + cacheHold {
        audit.miscounted.append(id)
      }
    }
    while cursor < expected.count {
      audit.missing.append(expected[cursor].mapping)
      cursor += 1
    }
    return audit
  }
}

/// The findings of `PhysicalMemoryContext.reverseMapAudit`.
public struct ReverseMapAudit: Sendable, Equatable {
  /// Reverse-map entries that no live region matches.
  public var stale: [ObjectMapping] = []
  /// Regions of an object that its reverse map lacks (or whose object is gone).
  public var missing: [ObjectMapping] = []
  /// Objects whose map is malformed or whose hold count disagrees with it.
  public var miscounted: [MemoryObjectID] = []

  /// Whether the maps are exact.
  public var isClean: Bool { stale.isEmpty && missing.isEmpty && miscounted.isEmpty }

  /// Adds the differences between two sorted lists of one object's mappings.
  mutating func compare(recorded: [ObjectMapping], wanted: [ObjectMapping]) {
    var left = 0
    var right = 0
    while left < recorded.count || right < wanted.count {
      if right == wanted.count || (left < recorded.count && recorded[left] < wanted[right]) {
        stale.append(recorded[left])
        left += 1
      } else if left == recorded.count || wanted[right] < recorded[left] {
        missing.append(wanted[right])
        right += 1
      } else {
        left += 1
        right += 1
      }
    }
  }
}
