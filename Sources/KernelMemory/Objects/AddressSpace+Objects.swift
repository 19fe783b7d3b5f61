/// The page index of a memory object is never loaded into CR3, so nothing caches its
/// translations: removing an entry owes no invalidation.
struct UncachedIndex: TranslationCache {
  func invalidate(_ address: VirtualAddress) {}
  func invalidateAll() {}
}

extension AddressSpace {
  /// The object's page index, over this space's memory accessor.
  func index(of object: MemoryObject) -> PageMap<Memory> {
    PageMap(root: object.indexRoot, memory: pageMap.memory)
  }

  /// The address in the index of object page `offset`.
  static func indexAddress(_ offset: UInt64) -> VirtualAddress {
    VirtualAddress(canonical: offset << PageSize.size4KiB.shift)
  }

  /// Creates an anonymous shared object of `pages` pages, referred to by one region, and
  /// charges it (`MemoryObject.charge(forPages:)`).
  ///
  /// - Throws: `.outOfMemory` when the charge or the index's root frame is refused.
  func createSharedObject(pages: UInt64) throws(AddressSpaceError) -> MemoryObjectID {
    let charge = MemoryObject.charge(forPages: pages)
    guard physical.commit.charge(charge) else { throw .outOfMemory }
    guard let root = physical.allocateFrame() else {
      physical.commit.refund(charge)
      throw .outOfMemory
    }
    pageMap.memory.zero(root)
    return physical.objects.add(
      MemoryObject(
        kind: .anonymousShared, pageCount: pages, indexRoot: root, mappings: 1, charge: charge))
  }

  /// One more region refers to `id`.
  func retainObject(_ id: MemoryObjectID) {
    physical.objects[id].mappings += 1
  }

  /// One region fewer refers to `id`; the last one destroys it: every page (which no leaf
  /// may map any more: the regions that could are gone, their leaves with them) and every
  /// index table is freed, and its charge refunded.
  func releaseObject(_ id: MemoryObjectID) {
    physical.releaseObjectHold(id, through: pageMap.memory)
  }

  /// Makes object `id` hold at least `pages` pages (a shared region grown by `mremap`),
  /// charging what it adds.
  func growObject(_ id: MemoryObjectID, toPages pages: UInt64) throws(AddressSpaceError) {
    let object = physical.objects[id]
    // A file's pages are the file's: a mapping longer than it finds SIGBUS past its end.
    guard pages > object.pageCount, object.kind == .anonymousShared else { return }
    let charge = MemoryObject.charge(forPages: pages)
    guard physical.commit.charge(charge - object.charge) else { throw .outOfMemory }
    physical.objects[id].pageCount = pages
    physical.objects[id].charge = charge
  }

  /// The frame object `id` holds at page `offset`, if any (for audits and tests: what a
  /// process would read there without faulting it in).
  public func objectPage(_ id: MemoryObjectID, at offset: UInt64) -> PhysicalFrame? {
    physical.residentPage(id, at: offset, through: pageMap.memory)
  }

  /// The page of object `id` at `offset` for a fault: the one it holds, or a fresh frame
  /// (zeroed, or filled from its file: `fillNewPage`) it keeps from now on (`.shared`, counted as mapped once: by the caller's leaf).
  /// nil when no frame is left — for a committed object, a broken ledger.
  func faultInObjectPage(_ id: MemoryObjectID, at offset: UInt64) -> PhysicalFrame? {
    let table = physical.frameTable
    if let frame = objectPage(id, at: offset) {
      table.recordMapping(of: frame)
      return frame
    }
    precondition(offset < physical.objects[id].pageCount, "a page beyond its object")
    guard let frame = physical.allocateFrame() else { return nil }
    fillNewPage(frame, of: id, at: offset)
    do throws(PageMapError) {
      try index(of: physical.objects[id]).map(
        Self.indexAddress(offset), to: frame, flags: [], frames: &physical.frames)
    } catch {
      physical.releaseFrame(frame)
      return nil
    }
    table.recordFirstMapping(of: frame, state: .shared)
    physical.objects[id].residentPages += 1
    return frame
  }

  /// Drops object `id`'s pages `offsets` — `MADV_REMOVE` (a hole punched in shmem) — and
  /// frees their frames. No leaf in any space may map them any more: the caller unmapped
  /// them everywhere first (`PhysicalMemoryContext.unmapObjectPages`, through the object's
  /// reverse map, as Linux's `unmap_mapping_range` before `shmem_undo_range`).
  func removeObjectPages(_ id: MemoryObjectID, offsets: Range<UInt64>) {
    guard !offsets.isEmpty else { return }
    physical.dropObjectSwapEntries(id, pages: offsets, through: pageMap.memory)
    let index = index(of: physical.objects[id])
    let table = physical.frameTable
    var removed: UInt64 = 0
    let range = VirtualRange(
      uncheckedStart: offsets.lowerBound << PageSize.size4KiB.shift,
      end: offsets.upperBound << PageSize.size4KiB.shift)
    index.unmapAll(in: range, UncachedIndex(), frames: &physical.frames) { entry in
      let frame = entry.frameAddress.frame
      removed += 1
      precondition(table[frame].mapCount == 0, "a page left its object while still mapped")
      table[frame] = .unused
      return true
    }
    physical.objects[id].residentPages -= removed
  }
}
