/// The address spaces of one machine as memory objects' reverse maps reach them: a slot per
/// live space (`AddressSpaceID`), owned by the `PhysicalMemoryContext`, so an object that
/// must leave every page table (`PhysicalMemoryContext.unmapObjectPages`) finds each space
/// that maps it without a global and without holding the space alive.
///
/// Each slot holds what the context may ask of its space: `SpaceHandle`, a closure the space
/// made over itself, `unowned(unsafe)` — the space owns the context (strongly), never the
/// other way round, so there is no retain cycle; in exchange a space must leave the directory
/// before it is freed (its `deinit` does) and, before that, every reverse map (its regions
/// are gone by then: `tearDown`, or `deinit` itself). A closure rather than a reference to
/// the space because the context knows only its frame source's type, not the spaces' memory
/// accessor and TLB (no existential to erase them; one closure call per region found).
///
/// LOCK: the space-directory lock once a second CPU exists (taken to add or drop a space and
/// to look one up; the space's own lock is then taken to change its page tables).
public struct AddressSpaceDirectory {
  /// The live spaces' handles by slot; nil marks a free slot.
  var slots: [SpaceHandle?] = []
  /// Free slots, reused last-freed first.
  var freeSlots: [UInt32] = []

  /// An empty directory.
  public init() {}

  /// The live spaces.
  public var count: Int { slots.count - freeSlots.count }

  /// A new slot, to be given its handle (`attach`) once the space exists.
  mutating func reserveSlot() -> AddressSpaceID {
    if let slot = freeSlots.popLast() { return AddressSpaceID(slot: slot) }
    slots.append(nil)
    return AddressSpaceID(slot: UInt32(slots.count - 1))
  }

  /// Gives slot `id` its space's handle.
  mutating func attach(_ handle: SpaceHandle, to id: AddressSpaceID) {
    slots[Int(id.slot)] = handle
  }

  /// Frees slot `id` (its space is going away).
  mutating func remove(_ id: AddressSpaceID) {
    slots[Int(id.slot)] = nil
    freeSlots.append(id.slot)
  }

  /// The handle of live space `id`.
  subscript(id: AddressSpaceID) -> SpaceHandle {
    guard let handle = slots[Int(id.slot)] else {
      preconditionFailure("a reverse map names a space that is gone")
    }
    return handle
  }
}

/// What the context can ask of one address space, in terms it knows: unmap, in the region
/// `ObjectMapping` names, the pages of the object it maps that are among `offsets`. The
/// space unshares fork's tables there, removes those leaves, counts them out of its
/// resident set and flushes its own TLB entries (`AddressSpace.unmapObjectLeaves`).
struct SpaceHandle {
  let unmapObjectPages: (_ mapping: ObjectMapping, _ offsets: Range<UInt64>) -> Void
  /// The reclaim clock's visit (`AddressSpace.age`): from `cursor`, within `budget`, into
  /// the report (and, swapping, the swap-out batch); where to resume, nil at the space's end.
  let age:
    (
      _ cursor: UInt64, _ budget: Int, _ wanted: Int, _ report: inout AgingReport,
      _ swapping: Bool, _ batch: inout SwapOutBatch
    ) -> UInt64?
  /// The anonymous reverse map's visit (`AddressSpace.swapOutLineageLeaves`): in the region
  /// a lineage member names, the leaves mapping these pages' frames become their swap entries.
  let swapOutLineageLeaves:
    (_ member: ObjectMapping, _ pages: [LineagePage], _ batch: inout SwapOutBatch) -> Void
  /// The read-only search (`AddressSpace.lineageLeaf`): where the member maps the page's
  /// frame, if it does.
  let findLineageLeaf: (_ member: ObjectMapping, _ page: LineagePage) -> UInt64?
}
