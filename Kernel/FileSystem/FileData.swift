/// The bytes of the root file system's regular files, in the pages of their memory objects
/// (`MemoryObjectKind.file`, owned by the machine's `PhysicalMemoryContext`): `read` and
/// `write` copy between the user's buffer and those frames (through the direct map), the same
/// frames every mapping of the file maps.
///
/// A file unpacked from the initramfs has no object until a call needs its pages: a read
/// copies from the archive's bytes, anything else (a write, `ftruncate`, a mapping, `execve`)
/// gives it the page cache's object of those bytes (`PhysicalMemoryContext.cachedFileObject`,
/// filled once, shared with every program run from the file); the first change makes the cache
/// forget it, so the archive's bytes and the file part ways.
enum FileData {
  static var physical: KernelPhysicalMemory { ProcessRunner.physical }
  static let page = PageSize.size4KiB.bytes

  /// The memory object of regular file `node` of `tree`, made now if it has none (ENOSPC
  /// when memory is refused). This is the call `mmap` of a file uses (with `size(of:)`).
  static func object(of node: Int, in tree: FileTree) throws(LinuxErrno) -> MemoryObjectID {
    if let object = tree.nodes[node].object { return object }
    let archive = tree.data(of: node)
    let object: MemoryObjectID
    if archive.count > 0 {
      guard let cached = physical.cachedFileObject(FileContents(archive), through: DirectMap())
      else { throw .ENOSPC }
      physical.retainFileObject(cached)
      object = cached
    } else {
      do throws(FileObjectError) {
        object = try physical.createFileObject(bytes: tree.nodes[node].size, through: DirectMap())
      } catch { throw .ENOSPC }
    }
    tree.setObject(object, of: node)
    return object
  }

  /// The object of `node`, about to change: no longer the page cache's copy of archive bytes.
  static func changing(_ node: Int, in tree: FileTree) throws(LinuxErrno) -> MemoryObjectID {
    let archive = tree.data(of: node)
    let object = try object(of: node, in: tree)
    if archive.count > 0 { physical.forgetCachedFile(FileContents(archive), through: DirectMap()) }
    ExecutableImages.forget(node, in: tree)
    return object
  }

  /// The pointer to byte `offset` of the frame holding page `page` of `object`, or nil for a
  /// hole; a page on swap is read back first (EIO when the disk fails).
  static func resident(_ object: MemoryObjectID, page: UInt64) throws(LinuxErrno)
    -> UnsafeMutableRawPointer?
  {
    guard let frame = try residentFrame(object, page: page) else { return nil }
    return DirectMap.pointer(frame.address)
  }

  /// The frame holding page `page` of `object`, nil for a hole; a page on swap is read back
  /// first (EIO when the disk fails).
  static func residentFrame(_ object: MemoryObjectID, page: UInt64) throws(LinuxErrno)
    -> PhysicalFrame?
  {
    try swapIn(object, page: page)
    return physical.cachedPage(object, at: page, through: DirectMap())
  }

  /// Brings page `page` of `object` back from swap if it is there
  /// (`PhysicalMemoryContext.objectSwapIn`): the thread sleeps while the kernel reads the
  /// slots (or waits for another thread's read, or reclaims a frame), then asks again, until
  /// the page is in the object's index. EIO when the read fails (Linux's tmpfs read of a page
  /// whose swap read failed returns EIO too).
  static func swapIn(_ object: MemoryObjectID, page: UInt64) throws(LinuxErrno) {
    while let request = physical.objectSwapIn(object, at: page, through: DirectMap()) {
      if SwapService.resolve(request) != nil { throw .EIO }  // the read failed
    }
  }

  /// Copies `count` bytes between the user's memory and byte `within` of `frame` (a page of
  /// a file's object) with the page held (`holdObjectPage`): a fault on the user's buffer
  /// may sleep, and the page must neither go to swap nor be freed meanwhile.
  static func copy(
    _ frame: PhysicalFrame, within: UInt64, count: UInt64, user: UInt64, toUser: Bool
  ) throws(LinuxErrno) {
    physical.holdObjectPage(frame)
    defer { physical.releaseObjectPage(frame) }
    let bytes = DirectMap.pointer(frame.address) + Int(within)
    if toUser {
      try UserMemory.copyOut(bytes, count: Int(count), to: user)
    } else {
      try UserMemory.copyIn(from: user, count: Int(count), to: bytes)
    }
  }

  /// Reads up to `count` bytes of file `node` at `offset` to user `buffer`; a fault after
  /// some bytes ends the copy with their count.
  static func read(
    _ node: Int, in tree: FileTree, at offset: UInt64, to buffer: UInt64, count: UInt64
  )
    throws(LinuxErrno) -> UInt64
  {
    let size = tree.nodes[node].size
    guard offset < size else { return 0 }
    let length = min(count, size - offset)
    guard let object = tree.nodes[node].object else {
      let bytes = tree.data(of: node)
      return UInt64(
        try FileReadCalls.copy(bytes, from: Int(offset), count: Int(length), to: buffer))
    }
    var done: UInt64 = 0
    while done < length {
      Reclaimer.atSafePoint()  // a long read swaps in and reclaims as it goes
      let position = offset + done
      let within = position % page
      let chunk = min(length - done, page - within)
      do {
        if let frame = try residentFrame(object, page: position / page) {
          try copy(frame, within: within, count: chunk, user: buffer + done, toUser: true)
        } else {
          _ = try FileReadCalls.zeroFill(buffer + done, count: chunk)
        }
      } catch {
        if done == 0 { throw error }
        return done
      }
      done += chunk
    }
    return done
  }

  /// Writes `count` user bytes from `buffer` to file `node` at `offset`, growing the file
  /// (charged first: ENOSPC; EFBIG past the largest size). A fault after some bytes ends the
  /// write with their count.
  static func write(
    _ node: Int, in tree: FileTree, at offset: UInt64, from buffer: UInt64, count: UInt64
  )
    throws(LinuxErrno) -> UInt64
  {
    guard count > 0 else { return 0 }
    let limit = KernelPhysicalMemory.maximumFileBytes
    guard offset < limit else { throw .EFBIG }
    let length = min(count, limit - offset)
    let object = try changing(node, in: tree)
    let end = offset + length
    if end > tree.nodes[node].size {
      do throws(FileObjectError) {
        try physical.resizeFileObject(object, toBytes: end, through: DirectMap())
      } catch { throw .ENOSPC }
    }
    var done: UInt64 = 0
    var failure: LinuxErrno? = nil
    while done < length {
      Reclaimer.atSafePoint()  // a long write reclaims as it goes
      let position = offset + done
      let within = position % page
      let chunk = min(length - done, page - within)
      do throws(LinuxErrno) {
        try swapIn(object, page: position / page)
        let frame: PhysicalFrame
        do throws(FileObjectError) {
          frame = try physical.filePage(object, at: position / page, through: DirectMap())
        } catch { throw .ENOSPC }
        try copy(frame, within: within, count: chunk, user: buffer + done, toUser: false)
      } catch {
        failure = error
        break
      }
      done += chunk
    }
    let size = max(tree.nodes[node].size, offset + done)
    if size < end { try? physical.resizeFileObject(object, toBytes: size, through: DirectMap()) }
    let now = WallClock.nanoseconds()
    if size != tree.nodes[node].size { tree.setSize(size, of: node, now: now) }
    if done > 0 { tree.modified(node, now: now) }
    if done == 0, let failure { throw failure }
    return done
  }

  /// `ftruncate`: the file's size becomes `size` (EFBIG past the largest, ENOSPC when a growth
  /// is refused); the bytes past a shrunk end are gone (the partial last page's tail zeroed),
  /// a growth reads as zeros.
  static func truncate(_ node: Int, in tree: FileTree, to size: UInt64) throws(LinuxErrno) {
    guard size <= KernelPhysicalMemory.maximumFileBytes else { throw .EFBIG }
    let now = WallClock.nanoseconds()
    if size == tree.nodes[node].size {
      tree.setSize(size, of: node, now: now)
      return
    }
    let object = try changing(node, in: tree)
    do throws(FileObjectError) {
      try physical.resizeFileObject(object, toBytes: size, through: DirectMap())
    } catch { throw .ENOSPC }
    if size < tree.nodes[node].size, size % page != 0,
      let frame = try resident(object, page: size / page)
    {
      (frame + Int(size % page)).initializeMemory(
        as: UInt8.self, repeating: 0, count: Int(page - size % page))
    }
    tree.setSize(size, of: node, now: now)
  }

  /// The pages of `node` that hold data (for `st_blocks`: resident or on swap, as tmpfs counts
  /// them), nil while it is the archive's.
  static func residentPages(of node: Int, in tree: FileTree) -> UInt64? {
    guard let object = tree.nodes[node].object else { return nil }
    return physical.objects[object].residentPages + physical.objects[object].swappedPages
  }

  /// Frees `node` of `tree` if nothing refers to it any more, releasing its object.
  static func freeIfUnused(_ node: Int, in tree: FileTree) {
    let image = tree.nodes[node].executableImage
    guard let freed = tree.freeIfUnused(node) else { return }
    if let image { ExecutableImages.forget(image) }
    if let object = freed { physical.releaseFileObject(object, through: DirectMap()) }
  }

  /// The end of a launch: every object the tree's inodes hold is released (the page cache is
  /// dropped after), so the launch's frames come back.
  static func release(_ tree: FileTree) {
    for object in tree.heldObjects { physical.releaseFileObject(object, through: DirectMap()) }
    ExecutableImages.releaseAll(in: tree)
    tree.discard()
  }
}

extension FileData {
  /// The memory object holding the pages of the regular file open as `open`, and the file's
  /// size in bytes now — what `mmap` of a file maps (`fileMemoryObject(for:)` in
  /// Kernel/Syscall/FileMapping.swift calls this). The object is made if the file had none
  /// (ENOSPC when memory is refused); nil for a directory or a device. A region mapping the
  /// object holds it (`reserve` retains it), so the pages outlive an unlink and a close.
  static func memoryObject(for open: OpenNode) throws(LinuxErrno) -> (
    object: MemoryObjectID, size: UInt64
  )? {
    guard open.device == nil, open.tree.nodes[open.node].isRegular else { return nil }
    return (try object(of: open.node, in: open.tree), open.tree.nodes[open.node].size)
  }
}
