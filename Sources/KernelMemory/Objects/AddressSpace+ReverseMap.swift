/// The reverse map kept exact: every region that maps a memory object is an entry of the
/// object's `ObjectMappingTree` (its space, start, object offset and length), added and
/// removed exactly where the region table changes — a reservation inserted (`insert`), a
/// split (`split(at:)`: the whole out, both pieces in), a merge (`mergeWithNext`: both out,
/// the merged one in), `munmap` and `mremap`'s release (`release`), `mremap`'s move target
/// (`move`), fork (every object region of the child, `fork(into:tlb:)`) and teardown
/// (`tearDown`, or `deinit` for a space dropped without one). Protection and charge changes
/// leave it alone: it records only which pages each region maps where.
///
/// The object's hold count (`MemoryObject.mappings`) stays separate — it also counts the
/// page cache's hold, and its release order destroys the object — so
/// `PhysicalMemoryContext.reverseMapAudit` checks the two agree.
extension AddressSpace {
  /// Adds `region`, if it maps an object, to that object's reverse map.
  func recordObjectMapping(_ region: Region) {
    guard let object = region.object else { return }
    physical.objects.addMapping(ObjectMapping(region, in: spaceID), to: object)
  }

  /// Removes `region`, if it maps an object, from that object's reverse map (before the
  /// region's hold on the object is released: the object may die with it).
  func forgetObjectMapping(_ region: Region) {
    guard let object = region.object else { return }
    physical.objects.removeMapping(ObjectMapping(region, in: spaceID), from: object)
  }

  /// `forgetObjectMapping` for every region at `positions`.
  func forgetObjectMappings(of positions: Range<Int>) {
    for index in positions where regions[index].object != nil {
      forgetObjectMapping(regions[index])
    }
  }

  /// Every region of a fork's child (its table copied whole) holds its object once more and
  /// joins its object's reverse map.
  func attachObjects() {
    for index in 0..<regions.count {
      let region = regions[index]
      guard let object = region.object else { continue }
      retainObject(object)
      recordObjectMapping(region)
    }
  }

  /// Removes this space's leaves of the object pages `offsets` that the region `mapping`
  /// names maps (`PhysicalMemoryContext.unmapObjectPages` asks every space in turn).
  ///
  /// One walk of the region's part (`ObjectPageDropper`): fork's shared tables are unshared
  /// first, so no other space loses a leaf through this one; each leaf gone is one map count
  /// less and one resident frame less; the flush names this space (`TLBFlush(root:)`) —
  /// on one CPU only the loaded space can have cached entries, so for any other space it
  /// costs nothing real. With a second CPU it becomes a shootdown of every CPU that has this
  /// space loaded (or may have cached it: lazy TLB), under the address-space lock.
  func unmapObjectLeaves(_ mapping: ObjectMapping, offsets: Range<UInt64>) {
    let range = mapping.addresses(mapping: offsets)
    guard range.end > range.start else { return }
    var dropper = ObjectPageDropper(space: self, start: range.start)
    walk(range, &dropper)
    residentFrames -= dropper.released
  }

  /// The handle this space gives the directory: itself, unretained (see
  /// `AddressSpaceDirectory` for why that is safe).
  func directoryHandle() -> SpaceHandle {
    SpaceHandle(
      unmapObjectPages: { [unowned(unsafe) self] mapping, offsets in
        self.unmapObjectLeaves(mapping, offsets: offsets)
      },
      age: { [unowned(unsafe) self] cursor, budget, wanted, report, swapping, batch in
        self.age(
          from: cursor, budget: budget, wanted: wanted, into: &report, swapping: swapping,
          batch: &batch)
      },
      swapOutLineageLeaves: { [unowned(unsafe) self] member, pages, batch in
        self.swapOutLineageLeaves(member, pages, into: &batch)
      },
      findLineageLeaf: { [unowned(unsafe) self] member, page in
        self.lineageLeaf(in: member, mapping: page)
      })
  }
}

/// The walker of `unmapObjectLeaves`: clears every present leaf in the range that maps a page
/// of a memory object — a frame marked `.shared` other than the zero page. In a region of an
/// object those are exactly its pages (one object per region; a page copied for a private
/// write is never `.shared`), so private copies stay, as Linux's `unmap_mapping_range`
/// without `even_cows` leaves them. Object pages are never freed here (the object holds them).
struct ObjectPageDropper<Memory: PhysicalMemoryAccess, TLB: TranslationCache, Frames: FrameSource>:
  PageWalker
{
  let space: AddressSpace<Memory, TLB, Frames>
  let start: UInt64
  /// Leaves removed (as `residentFrames` counts them).
  var released: UInt64 = 0

  var target: WalkTarget { .presentLeaves }
  var sharedTables: SharedTablePolicy { .unshareFirst }
  var clearsEveryLeaf: Bool { false }

  mutating func unshareTable(at pointer: PhysicalAddress) -> Bool {
    space.unshareTable(at: pointer)
  }

  mutating func visit(_ slot: LeafSlot, _ flush: inout TLBFlush) -> LeafChange {
    guard slot.start >= start else { return .keep }
    let frame = slot.entry.hugePageAddress(slot.size).frame
    let table = space.physical.frameTable
    guard frame != space.zeroPage, table[frame].state.contains(.shared) else { return .keep }
    released += 1
    if table.recordUnmapping(of: frame) { flush.release(frame, count: Int(slot.size.frameCount)) }
    return .clear
  }
}
