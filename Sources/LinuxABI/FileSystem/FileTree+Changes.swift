#if canImport(KernelMemory)
  import KernelMemory
#endif

/// The changes the calls make to the tree (tmpfs's inode and directory operations), with
/// Linux's errors. Each takes `now` (nanoseconds since the epoch) for the times it sets, as
/// Linux's `inode_set_ctime_current` and friends do: a new entry sets the directory's mtime and
/// ctime, a new link or an unlink the inode's ctime.
///
/// **Inode lifetime** (as Linux's `iput`): a file's inode lives while a directory entry names
/// it (`links`) or an open file description refers to it (`openCount`); the caller frees it
/// (`freeIfUnused`) after an unlink, a rename over it or a close, and gets back the memory
/// object to release — a mapping holds the object, not the inode, so an unlinked mapped file's
/// pages live as long as the mapping. A removed directory keeps its slot (a working directory
/// may still name it; it is empty and nothing can be created in it: ENOENT).
extension FileTree {
  /// The most inodes one tree holds (tmpfs's `nr_inodes`): more is ENOSPC.
  public static let maximumInodes = 1 << 20
  /// The most names one file may have: more is EMLINK.
  public static let maximumLinks: UInt32 = UInt32.max - 1
  /// `renameat2` flags.
  public static let renameNoReplace: UInt64 = 1  // RENAME_NOREPLACE
  public static let renameExchange: UInt64 = 2  // RENAME_EXCHANGE

  /// `st_nlink`: a directory's 2 plus its subdirectories (0 once removed), a file's names.
  public func linkCount(of node: Int) -> UInt64 {
    let file = nodes[node]
    guard file.isDirectory else { return UInt64(file.links) }
    return file.links == 0 ? 0 : 2 + UInt64(file.subdirectories)
  }

  /// Whether `directory` was removed (`rmdir`): nothing may be created in it.
  public func isRemoved(_ directory: Int) -> Bool {
    nodes[directory].isDirectory && nodes[directory].links == 0
  }

  /// ENAMETOOLONG for a name longer than `NAME_MAX`; ENOENT in a removed directory.
  func checkNewEntry(in directory: Int, named name: [UInt8]) throws(LinuxErrno) {
    guard name.count <= Self.maximumNameLength else { throw .ENAMETOOLONG }
    guard nodes[directory].isDirectory else { throw .ENOTDIR }
    guard !isRemoved(directory) else { throw .ENOENT }
    guard child(of: directory, named: name) == nil else { throw .EEXIST }
  }

  /// Creates `name` in `directory`: a regular file, a directory, a device (the type is in
  /// `mode`), with the permissions of `mode`. EEXIST when the name is taken, ENOSPC when the
  /// tree is full.
  public func create(in directory: Int, named name: [UInt8], mode: UInt32, now: UInt64)
    throws(LinuxErrno) -> Int
  {
    try checkNewEntry(in: directory, named: name)
    guard liveInodes < Self.maximumInodes else { throw .ENOSPC }
    var node = FileNode(mode: mode, name: [], parent: directory)
    if node.isDirectory { node.name = name }
    node.accessTime = now
    node.modificationTime = now
    node.changeTime = now
    let index = append(node, named: name)
    touchContents(of: directory, now: now)
    return index
  }

  /// `memfd_create`: a regular file no directory names — no links, as Linux's (so `linkat`
  /// refuses it: ENOENT) — that lives while open (the caller opens it at once, or it would
  /// never be freed). ENOSPC when the tree is full.
  public func createAnonymous(mode: UInt32, now: UInt64) throws(LinuxErrno) -> Int {
    guard liveInodes < Self.maximumInodes else { throw .ENOSPC }
    var node = FileNode(mode: mode, name: [], parent: Self.root)
    node.inode = takeInode()
    node.links = 0
    node.accessTime = now
    node.modificationTime = now
    node.changeTime = now
    liveInodes += 1
    if let slot = freeSlots.popLast() {
      nodes[slot] = node
      return slot
    }
    nodes.append(node)
    return nodes.count - 1
  }

  /// `symlinkat`: a link to `target` (not looked at) named `name` in `directory`.
  public func createSymbolicLink(
    in directory: Int, named name: [UInt8], target: [UInt8], now: UInt64
  ) throws(LinuxErrno) -> Int {
    let node = try create(
      in: directory, named: name, mode: FileMode.symbolicLink | 0o777, now: now)
    nodes[node].linkTarget = target
    nodes[node].size = UInt64(target.count)
    return node
  }

  /// `linkat`: one more name for `node`. EPERM for a directory, ENOENT for a file with no name
  /// left, EMLINK past `maximumLinks`.
  public func link(_ node: Int, in directory: Int, named name: [UInt8], now: UInt64)
    throws(LinuxErrno)
  {
    try checkNewEntry(in: directory, named: name)
    guard !nodes[node].isDirectory else { throw .EPERM }
    guard nodes[node].links > 0 else { throw .ENOENT }
    guard nodes[node].links < Self.maximumLinks else { throw .EMLINK }
    link(node, in: directory, as: name)
    nodes[node].links += 1
    nodes[node].changeTime = now
    touchContents(of: directory, now: now)
  }

  /// `unlinkat` without `AT_REMOVEDIR`: removes the entry of a non-directory; the inode it
  /// named (free it with `freeIfUnused`).
  public func unlink(in directory: Int, named name: [UInt8], now: UInt64) throws(LinuxErrno)
    -> Int
  {
    guard let node = child(of: directory, named: name) else { throw .ENOENT }
    guard !nodes[node].isDirectory else { throw .EISDIR }
    removeEntry(in: directory, named: name)
    nodes[node].links -= 1
    nodes[node].changeTime = now
    touchContents(of: directory, now: now)
    return node
  }

  /// `rmdir`: removes an empty directory (ENOTDIR, ENOTEMPTY; EBUSY for the root).
  public func removeDirectory(in directory: Int, named name: [UInt8], now: UInt64)
    throws(LinuxErrno)
  {
    guard let node = child(of: directory, named: name) else { throw .ENOENT }
    guard nodes[node].isDirectory else { throw .ENOTDIR }
    guard node != Self.root else { throw .EBUSY }
    guard nodes[node].entries.isEmpty else { throw .ENOTEMPTY }
    removeEntry(in: directory, named: name)
    nodes[node].links = 0
    nodes[node].changeTime = now
    touchContents(of: directory, now: now)
  }

  /// Whether `node` is `ancestor` or lies below it.
  func isWithin(_ node: Int, _ ancestor: Int) -> Bool {
    var current = node
    while true {
      if current == ancestor { return true }
      if current == Self.root { return false }
      current = nodes[current].parent
    }
  }

  /// `renameat2`: moves the entry `fromName` of `from` to `toName` in `to`, replacing what
  /// was there (unless `renameNoReplace`: EEXIST), or swapping the two (`renameExchange`:
  /// ENOENT without a target). Linux's checks: EINVAL for a directory moved below itself,
  /// ENOTDIR / EISDIR when a directory and a non-directory would replace each other,
  /// ENOTEMPTY over a directory with entries; renaming a file onto another name of itself does
  /// nothing. Returns the inode the rename took a name from (free it with `freeIfUnused`).
  public func rename(
    from: Int, named fromName: [UInt8], to: Int, named toName: [UInt8], flags: UInt64,
    now: UInt64
  ) throws(LinuxErrno) -> Int? {
    guard let source = child(of: from, named: fromName) else { throw .ENOENT }
    guard toName.count <= Self.maximumNameLength else { throw .ENAMETOOLONG }
    guard !isRemoved(to) else { throw .ENOENT }
    let target = child(of: to, named: toName)
    if flags & Self.renameExchange != 0 {
      guard let target else { throw .ENOENT }
      try exchange(source, in: from, named: fromName, with: target, in: to, named: toName)
      nodes[source].changeTime = now
      nodes[target].changeTime = now
      touchContents(of: from, now: now)
      touchContents(of: to, now: now)
      return nil
    }
    if let target, flags & Self.renameNoReplace != 0 {
      _ = target
      throw .EEXIST
    }
    if nodes[source].isDirectory, isWithin(to, source) { throw .EINVAL }
    if target == source { return nil }
    if let target {
      if nodes[source].isDirectory, !nodes[target].isDirectory { throw .ENOTDIR }
      if !nodes[source].isDirectory, nodes[target].isDirectory { throw .EISDIR }
      if nodes[target].isDirectory, !nodes[target].entries.isEmpty { throw .ENOTEMPTY }
      removeEntry(in: to, named: toName)
      if nodes[target].isDirectory { nodes[target].links = 0 } else { nodes[target].links -= 1 }
      nodes[target].changeTime = now
    }
    removeEntry(in: from, named: fromName)
    if nodes[source].isDirectory {
      nodes[source].parent = to
      nodes[source].name = toName
    }
    link(source, in: to, as: toName)
    nodes[source].changeTime = now
    touchContents(of: from, now: now)
    touchContents(of: to, now: now)
    return target
  }

  /// `RENAME_EXCHANGE`: the two entries swap inodes (EINVAL when one directory would end up
  /// below itself).
  func exchange(
    _ source: Int, in from: Int, named fromName: [UInt8], with target: Int, in to: Int,
    named toName: [UInt8]
  ) throws(LinuxErrno) {
    if nodes[source].isDirectory, isWithin(to, source), source != target { throw .EINVAL }
    if nodes[target].isDirectory, isWithin(from, target), source != target { throw .EINVAL }
    guard source != target else { return }
    removeEntry(in: from, named: fromName)
    removeEntry(in: to, named: toName)
    for (node, directory, name) in [(target, from, fromName), (source, to, toName)] {
      if nodes[node].isDirectory {
        nodes[node].parent = directory
        nodes[node].name = name
      }
      link(node, in: directory, as: name)
    }
  }

  /// Removes the entry `name` of `directory` (it exists).
  func removeEntry(in directory: Int, named name: [UInt8]) {
    let (index, found) = position(in: directory, of: name)
    precondition(found, "removing a missing directory entry")
    let node = nodes[directory].entries.remove(at: index).node
    if nodes[node].isDirectory { nodes[directory].subdirectories -= 1 }
  }

  /// A directory's entries changed: its mtime and ctime.
  func touchContents(of directory: Int, now: UInt64) {
    nodes[directory].modificationTime = now
    nodes[directory].changeTime = now
  }

  // MARK: inode lifetime

  /// An open file description of `node` now exists.
  public func opened(_ node: Int) {
    nodes[node].openCount += 1
  }

  /// One open file description of `node` fewer.
  public func closed(_ node: Int) {
    precondition(nodes[node].openCount > 0, "an inode closed more often than opened")
    nodes[node].openCount -= 1
  }

  /// Frees `node` when no name and no open file refers to it any more (directories keep
  /// their slot); the memory object the caller must release, if it had one.
  public func freeIfUnused(_ node: Int) -> MemoryObjectID?? {
    let file = nodes[node]
    guard file.isLive, !file.isDirectory, file.links == 0, file.openCount == 0 else {
      return nil
    }
    nodes[node] = FileNode(mode: 0, name: [], parent: Self.root)
    nodes[node].isLive = false
    nodes[node].links = 0
    freeSlots.append(node)
    liveInodes -= 1
    return .some(file.object)
  }

  /// Every memory object the tree's inodes hold (when the tree goes away).
  public var heldObjects: [MemoryObjectID] {
    var held: [MemoryObjectID] = []
    for node in nodes where node.isLive { if let object = node.object { held.append(object) } }
    return held
  }

  /// The copy of a written file's bytes `execve` parsed (the kernel's; nil when none).
  public func setExecutableImage(_ image: FileContents?, of node: Int) {
    nodes[node].executableImage = image
  }

  /// Gives regular file `node` its memory object (which it now holds) and forgets its archive
  /// bytes.
  public func setObject(_ object: MemoryObjectID?, of node: Int) {
    nodes[node].object = object
  }

  /// A regular file's new size (the caller resized its object), and its mtime and ctime.
  public func setSize(_ size: UInt64, of node: Int, now: UInt64) {
    nodes[node].size = size
    nodes[node].archiveData = 0..<0
    nodes[node].modificationTime = now
    nodes[node].changeTime = now
  }

  /// A write changed the file's bytes: mtime, ctime; its archive bytes are no longer it.
  public func modified(_ node: Int, now: UInt64) {
    nodes[node].archiveData = 0..<0
    nodes[node].modificationTime = now
    nodes[node].changeTime = now
  }

  /// `chmod`: the permission bits (the type stays), ctime.
  public func setPermissions(_ mode: UInt32, of node: Int, now: UInt64) {
    nodes[node].mode = nodes[node].type | (mode & FileMode.permissionMask)
    nodes[node].changeTime = now
  }

  /// `utimensat`: the access and modification times given (nil leaves one), ctime now.
  public func setTimes(access: UInt64?, modification: UInt64?, of node: Int, now: UInt64) {
    if let access { nodes[node].accessTime = access }
    if let modification { nodes[node].modificationTime = modification }
    nodes[node].changeTime = now
  }
}
