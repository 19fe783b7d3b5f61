/// The page cache of the machine's read-only files: for each file some process has mapped,
/// the memory object (`MemoryObjectKind.fileContents`) that holds its pages — page-aligned
/// frames filled from the file on first use, marked `.shared` in the frame table, the same
/// frames for every mapping of the file, so every process running one program runs the same
/// text frames (and QEMU TCG, whose translations are keyed by physical address, translates
/// them once).
///
/// Owned by the `PhysicalMemoryContext`, keyed by the file's contents (`FileContents`: on a
/// read-only file system its bytes name the file). The cache holds one of each object's
/// `mappings`, so an object outlives the regions that map it and its pages are never freed
/// while cached; `PhysicalMemoryContext.dropPageCache` lets every object go.
///
/// **Commit:** an object is charged when the cache creates it, for every page the file
/// covers and its index (`MemoryObject.charge(forPages:)`), so filling a page in a fault can
/// never run out of memory; a file whose charge is refused is not cached (the caller copies
/// it instead). The ledger then holds `totalCharge` beyond the processes' charges.
///
/// LOCK: the page-cache lock once a second CPU exists (with the object-table lock).
public struct PageCache {
  /// The cached files and their objects; few (the programs of a launch), searched in order.
  var entries: [(file: FileContents, object: MemoryObjectID)] = []
  /// Pages read from a file into a cache frame.
  public internal(set) var filledPages: UInt64 = 0
  /// Faults that mapped a page the cache already held (another mapping had read it): the
  /// frames shared instead of filled again.
  public internal(set) var sharedMappings: UInt64 = 0
  /// The most leaves seen mapping one cache frame at once (sampled when a fault maps one):
  /// how many processes share a program's text.
  public internal(set) var mostMappings: UInt32 = 0

  /// An empty cache.
  public init() {}

  /// The files cached.
  public var fileCount: Int { entries.count }

  /// Counts a fault that mapped a cached page, now mapped by `leaves` leaves.
  mutating func recordSharedMapping(_ leaves: UInt32) {
    sharedMappings += 1
    mostMappings = max(mostMappings, leaves)
  }

  /// The object caching `file`, if any.
  public func object(for file: FileContents) -> MemoryObjectID? {
    for entry in entries where entry.file == file { return entry.object }
    return nil
  }

  /// The bytes the cache knows object `id` by, if it caches it (for /proc: which file a
  /// mapping of the object shows).
  public func file(cachedAs id: MemoryObjectID) -> FileContents? {
    for entry in entries where entry.object == id { return entry.file }
    return nil
  }
}

extension PhysicalMemoryContext {
  /// The page-cache object of the initramfs file `file`: the cached one, or a new file object
  /// (`MemoryObjectKind.file`) filled now with every page of the file, which the cache holds
  /// from now on — the same object the file system gives the file's inode, so a program's
  /// text frames are its file's pages. nil when memory is refused (nothing is kept).
  public func cachedFileObject<Memory: PhysicalMemoryAccess>(
    _ file: FileContents, through memory: Memory
  ) -> MemoryObjectID? {
    if let object = pageCache.object(for: file) { return object }
    guard let object = try? createFileObject(bytes: file.byteCount, through: memory) else {
      return nil
    }
    for page in 0..<file.pageCount {
      guard let frame = try? filePage(object, at: page, through: memory) else {
        releaseObjectHold(object, through: memory)
        return nil
      }
      file.fill(frame, page: page, through: memory)
      pageCache.filledPages += 1
    }
    pageCache.entries.append((file, object))
    return object
  }

  /// The cache knows object `id` (a written file's) by the bytes `file` (a copy of its
  /// contents a loader reads): mapping `file` maps the object's own frames. The cache holds it.
  public func adoptCachedFile(_ file: FileContents, object id: MemoryObjectID) {
    objects[id].mappings += 1
    pageCache.entries.append((file, id))
  }

  /// The cache lets `file` go (its inode was written: the archive's bytes no longer are the
  /// file's): later executions of those bytes get a new object.
  public func forgetCachedFile<Memory: PhysicalMemoryAccess>(
    _ file: FileContents, through memory: Memory
  ) {
    guard let index = pageCache.entries.firstIndex(where: { $0.file == file }) else { return }
    let object = pageCache.entries[index].object
    refillDroppedPages(object, from: file, through: memory)  // reclaim may have dropped some
    pageCache.entries.remove(at: index)
    releaseObjectHold(object, through: memory)
  }

  /// Lets every cached file go: the cache's hold on each object ends, so an object no region
  /// maps any more is destroyed now — its frames freed, its charge refunded — and one that is
  /// still mapped lives on, uncached, until its last region goes. The counters restart.
  public func dropPageCache<Memory: PhysicalMemoryAccess>(through memory: Memory) {
    let entries = pageCache.entries
    pageCache = PageCache()
    for entry in entries { releaseObjectHold(entry.object, through: memory) }
  }

  /// One hold fewer on object `id` (a region, or the page cache); the last one destroys it:
  /// every page (which no leaf may map any more) and every index table is freed, and its
  /// charge refunded.
  func releaseObjectHold<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, through memory: Memory
  ) {
    precondition(objects[id].mappings > 0, "memory object released too often")
    objects[id].mappings -= 1
    guard objects[id].mappings == 0 else { return }
    dropObjectSwapEntries(id, pages: 0..<objects[id].pageCount, through: memory)
    let object = objects.remove(id)
    let table = frameTable
    PageMap(root: object.indexRoot, memory: memory).tearDownUserPart(
      UncachedIndex(), frames: &frames
    ) { entry in
      let frame = entry.frameAddress.frame
      precondition(table[frame].mapCount == 0, "a destroyed object's page is still mapped")
      table[frame] = .unused
      return true
    }
    releaseFrame(object.indexRoot)
    commit.refund(object.charge)
  }
}

extension AddressSpace {
  /// The page-cache object of `file`: the cached one, or a new one the cache keeps from now
  /// on (`PhysicalMemoryContext.cachedFileObject`). nil when it cannot be made: the caller does
  /// without the cache (copies the file's bytes).
  public func cachedFile(_ file: FileContents) -> MemoryObjectID? {
    physical.cachedFileObject(file, through: pageMap.memory)
  }

  /// Reserves and commits `length` bytes at `placement` as a private mapping of `object`
  /// from its page `page` on (`mmap(MAP_PRIVATE)` of a file, a program's segment): charged
  /// like anonymous memory, its pages the object's until a write copies one
  /// (`fillPrivately`, `breakCopyOnWrite`).
  public func reservePrivateMapping(
    of object: MemoryObjectID, page: UInt64, length: UInt64, protection: Protection,
    at placement: Placement
  ) throws(AddressSpaceError) -> VirtualRange {
    try reserve(
      length: length, protection: protection, kind: .anonymous, at: placement,
      committed: !protection.isEmpty, continuing: (object, page))
  }

  /// The frame a new page of object `id` at `offset` starts as: zeros for anonymous memory,
  /// the file's bytes for a cached file.
  func fillNewPage(_ frame: PhysicalFrame, of id: MemoryObjectID, at offset: UInt64) {
    switch physical.objects[id].kind {
    case .anonymousShared:
      pageMap.memory.zero(frame)
    case .fileContents(let file):
      file.fill(frame, page: offset, through: pageMap.memory)
      physical.pageCache.filledPages += 1
    case .file:
      guard let file = physical.pageCache.file(cachedAs: id) else {
        pageMap.memory.zero(frame)
        return
      }
      file.fill(frame, page: offset, through: pageMap.memory)  // a page reclaim dropped
      physical.pageCache.filledPages += 1
      physical.reclaim.refilledCachePages += 1
    }
  }
}
