/// Why a file object's pages could not be provided or its size changed: the commit ledger (or
/// the frame source) refused, which the file calls answer with ENOSPC.
public enum FileObjectError: Error, Equatable, Sendable {
  case noSpace
}

/// The memory objects of files (`MemoryObjectKind.file`): a tmpfs file's data, one frame per
/// page, owned by the memory manager, the same frames for every `read`, `write` and mapping.
///
/// **Size and commit.** An object covers the file's size (`pageCount` is the size in pages,
/// rounded up) and is charged for all of it and its index (`MemoryObject.charge(forPages:)`)
/// when the size is set — at creation, by a write that extends it, by `ftruncate` — so no later
/// write inside the size, and no fault of a shared mapping, can fail for memory; a growth the
/// ledger refuses is `FileObjectError.noSpace` (ENOSPC). A shrink refunds. (Linux's shmem
/// charges a page when it is allocated, so a sparse file costs nothing there; here it costs
/// its size.) Pages are allocated when first written (zero-filled: a hole reads as zeros
/// without one), so `residentPages` is the file's `st_blocks / 8`.
///
/// **Holds.** `mappings` counts the file system's hold (the inode), the page cache's (an
/// executed initramfs file) and every region mapping it; the last release frees every page.
extension PhysicalMemoryContext {
  /// The largest file size, in bytes: the index addresses its pages as user addresses.
  public static var maximumFileBytes: UInt64 { UInt64(1) << 46 }

  /// Where object page `offset` is in an object's index.
  static func fileIndexAddress(_ offset: UInt64) -> VirtualAddress {
    VirtualAddress(canonical: offset << PageSize.size4KiB.shift)
  }

  /// The pages covering `bytes` bytes.
  public static func filePages(_ bytes: UInt64) -> UInt64 {
    (bytes + PageSize.size4KiB.offsetMask) >> PageSize.size4KiB.shift
  }

  /// A new, empty-paged file object of `bytes` bytes held once (by the caller), charged for
  /// its size.
  public func createFileObject<Memory: PhysicalMemoryAccess>(
    bytes: UInt64, through memory: Memory
  ) throws(FileObjectError) -> MemoryObjectID {
    let pages = Self.filePages(bytes)
    let charge = MemoryObject.charge(forPages: pages)
    guard commit.charge(charge) else { throw .noSpace }
    guard let root = allocateFrame() else {
      commit.refund(charge)
      throw .noSpace
    }
    memory.zero(root)
    return objects.add(
      MemoryObject(kind: .file, pageCount: pages, indexRoot: root, mappings: 1, charge: charge))
  }

  /// One more hold on object `id` (an inode taking the page cache's object of its file).
  public func retainFileObject(_ id: MemoryObjectID) {
    objects[id].mappings += 1
  }

  /// One hold fewer on object `id`; the last frees its pages and refunds its charge.
  public func releaseFileObject<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, through memory: Memory
  ) {
    releaseObjectHold(id, through: memory)
  }

  /// The frame holding page `offset` of object `id`, if it has one. Every fault and `read` of
  /// an object's page asks this, so it is the index's plain walk (`IndexTableCursor`: four
  /// loads), not the general page-map walker `translate` uses.
  public func residentPage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) -> PhysicalFrame? {
    var cursor = IndexTableCursor()
    return cursor.frame(at: offset, root: objects[id].indexRoot.address.value, memory: memory)
  }

  /// The frame of page `offset` (inside the size) of object `id`, allocated zeroed if the
  /// object had none; the object holds it (`.shared`, mapped by no leaf yet). A swapped page
  /// must be swapped in first (`objectSwapIn` until it answers nil): a zeroed frame in its
  /// place would lose the page.
  public func filePage<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, at offset: UInt64, through memory: Memory
  ) throws(FileObjectError) -> PhysicalFrame {
    if let frame = residentPage(id, at: offset, through: memory) { return frame }
    precondition(offset < objects[id].pageCount, "a file page beyond its size")
    precondition(
      objectSwapEntry(id, at: offset, through: memory) == nil,
      "a swapped file page was not swapped in before its use")
    guard let frame = allocateFrame() else { throw .noSpace }
    memory.zero(frame)
    do throws(PageMapError) {
      try PageMap(root: objects[id].indexRoot, memory: memory).map(
        Self.fileIndexAddress(offset), to: frame, flags: [],
        frames: &frames)
    } catch {
      releaseFrame(frame)
      throw .noSpace
    }
    frameTable[frame] = FrameInfo(mapCount: 0, state: .shared)
    objects[id].residentPages += 1
    return frame
  }

  /// Sets the size of file object `id` to `bytes`: a growth is charged first (`noSpace` when
  /// refused, nothing changed); a shrink drops the pages wholly past the end (`dropPages`) and
  /// refunds. The tail of a partial last page is the caller's to zero (it has the bytes).
  public func resizeFileObject<Memory: PhysicalMemoryAccess>(
    _ id: MemoryObjectID, toBytes bytes: UInt64, through memory: Memory
  ) throws(FileObjectError) {
    let pages = Self.filePages(bytes)
    let old = objects[id]
    let charge = MemoryObject.charge(forPages: pages)
    if charge > old.charge {
      guard commit.charge(charge - old.charge) else { throw .noSpace }
    }
    if pages < old.pageCount { dropPages(of: id, from: pages, through: memory) }
    objects[id].pageCount = pages
    objects[id].charge = charge
    if charge < old.charge { commit.refund(old.charge - charge) }
  }

  /// Removes object `id`'s pages from `first` on: first from every address space that maps
  /// them (`unmapObjectPages`, the reverse map: the next touch there is past the end of the
  /// file, SIGBUS, or after a growth a fresh zero page), then from its index, each frame freed.
  /// (A page some leaf still maps — none should — leaves the object and stays its mapper's
  /// until the last leaf goes.)
  func dropPages<Memory: PhysicalMemoryAccess>(
    of id: MemoryObjectID, from first: UInt64, through memory: Memory
  ) {
    let end = objects[id].pageCount
    guard first < end else { return }
    unmapObjectPages(id, offsets: first..<end)
    dropObjectSwapEntries(id, pages: first..<end, through: memory)
    let table = frameTable
    var removed: UInt64 = 0
    let range = VirtualRange(
      uncheckedStart: first << PageSize.size4KiB.shift, end: end << PageSize.size4KiB.shift)
    PageMap(root: objects[id].indexRoot, memory: memory).unmapAll(
      in: range, UncachedIndex(), frames: &frames
    ) { entry in
      let frame = entry.frameAddress.frame
      removed += 1
      if table[frame].mapCount == 0 {
        table[frame] = .unused
        return true
      }
      table[frame].state.remove(.shared)
      return false
    }
    objects[id].residentPages -= removed
  }
}
