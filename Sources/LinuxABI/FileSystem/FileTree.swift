#if canImport(KernelMemory)
  import KernelMemory
#endif

/// One name in a directory: the entry `name` → inode `node` (several entries may name one
/// regular file: hard links).
public struct DirectoryEntry: Sendable {
  public var name: [UInt8]
  public var node: Int
}

/// One inode of the root file system: a directory, a regular file, a symbolic link or a
/// special file. A regular file's bytes are either still the archive's (`archiveData`, never
/// copied) or, once some call needed its pages, those of its memory object (`object`, pages
/// owned by the memory manager; the kernel creates it, the tree only remembers it).
public struct FileNode: Sendable {
  /// `st_mode`: type and permissions.
  public var mode: UInt32
  /// A directory's own name in its parent (for `getcwd`); empty for the root and for files,
  /// whose names are their entries'.
  public var name: [UInt8]
  /// The directory holding a directory (the root is its own parent, as `/..` is `/`).
  public var parent: Int
  /// A directory's entries, ordered by name so that a lookup is a binary search.
  public var entries: [DirectoryEntry] = []
  /// A regular file's bytes in the archive (its contents until it gets an object).
  public var archiveData: Range<Int> = 0..<0
  /// A symbolic link's target.
  public var linkTarget: [UInt8] = []
  /// A special file's `rdev`.
  public var deviceMajor: UInt32 = 0
  public var deviceMinor: UInt32 = 0
  /// `st_atime`, `st_mtime`, `st_ctime` in nanoseconds since the epoch.
  public var accessTime: UInt64 = 0
  public var modificationTime: UInt64 = 0
  public var changeTime: UInt64 = 0
  /// `st_ino`: never reused while the tree lives (tmpfs's `get_next_ino`).
  public var inode: UInt64 = 0
  /// A regular file's or symlink's size in bytes.
  public var size: UInt64 = 0
  /// The memory object holding a regular file's pages, once it has one.
  public var object: MemoryObjectID? = nil
  /// Directory entries naming a non-directory (a directory's `st_nlink` is computed).
  public var links: UInt32 = 1
  /// Open file descriptions of it (`struct file`s): an unlinked file lives while this is not
  /// zero.
  public var openCount: UInt32 = 0
  /// Linux's `i_writecount`: open file descriptions that may write it (positive), or
  /// programs running it (negative, `FileTree.denyWriteAccess`) — never both.
  public var writeAccess: Int32 = 0
  /// Whether the slot is in use (a freed inode's slot waits for reuse).
  public var isLive = true
  /// A copy of a written file's bytes made for `execve` (kernel heap), under whose name the
  /// page cache knows the file's object; dropped when the file changes or goes.
  public var executableImage: FileContents? = nil
  /// Subdirectories of a directory (for its `st_nlink`, kept so that stat is O(1)).
  public var subdirectories: UInt32 = 0

  public var type: UInt32 { mode & FileMode.typeMask }
  public var isDirectory: Bool { type == FileMode.directory }
  public var isSymbolicLink: Bool { type == FileMode.symbolicLink }
  public var isRegular: Bool { type == FileMode.regular }
  public var isCharacterDevice: Bool { type == FileMode.characterDevice }
}

/// The writable root file system, tmpfs semantics: built from an initramfs archive (cpio
/// newc) at boot, then changed by the calls (FileTree+Changes.swift). Linux's rootfs is a
/// tmpfs unpacked from the initramfs the same way.
///
/// Inodes live in one array and are named by index (`nodes`; slots of freed inodes are
/// reused, their `inode` numbers never). A directory keeps its entries sorted by name, so each
/// path component costs one binary search (no hashing: the kernel has no Dictionary). Later
/// archive members replace earlier ones of the same path, as Linux's initramfs unpacking does;
/// missing parent directories are created (mode 0755); members whose name has a `..` component
/// or whose parent is not a directory are ignored, so a hostile archive cannot place a file
/// outside the tree.
///
/// LOCK: the file-system lock (Linux's per-inode `i_rwsem` and rename lock) once a second CPU
/// exists; one tree is shared by every process of a launch.
public final class FileTree {
  /// The root directory's index.
  public static let root = 0
  /// Mode of directories the archive implies without listing them (`drwxr-xr-x`).
  public static let impliedDirectoryMode: UInt32 = FileMode.directory | 0o755

  public internal(set) var nodes: [FileNode]
  /// The archive the nodes' data ranges refer to.
  public let contents: UnsafeRawBufferPointer
  /// Slots of freed inodes, reused last-freed first.
  var freeSlots: [Int] = []
  /// The next `st_ino`.
  var nextInode: UInt64 = 1
  /// Live inodes (at most `maximumInodes`: ENOSPC, tmpfs's `nr_inodes`).
  public internal(set) var liveInodes = 1
  /// Set when the launch that used the tree ended and its objects were released: open files
  /// that outlive it (in a dead process's table) no longer free anything.
  public internal(set) var isDiscarded = false

  /// The tree's objects were released (`heldObjects`): it holds none from now on.
  public func discard() {
    isDiscarded = true
    for index in nodes.indices { nodes[index].object = nil }
  }

  /// An empty root directory.
  public init() {
    contents = UnsafeRawBufferPointer(start: nil, count: 0)
    nodes = [FileNode(mode: Self.impliedDirectoryMode, name: [], parent: Self.root)]
    nodes[Self.root].inode = takeInode()
  }

  /// The tree of the archive in `bytes`, which must stay mapped while the tree is used.
  public init(archive bytes: UnsafeRawBufferPointer) throws(CPIOError) {
    contents = bytes
    nodes = [FileNode(mode: Self.impliedDirectoryMode, name: [], parent: Self.root)]
    nodes[Self.root].inode = takeInode()
    let archive = CPIOArchive(bytes)
    for entry in try archive.entries() {
      let name = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[entry.name]))
      insert(at: name, entry: entry)
    }
  }

  /// A copy of this tree as unpacked (no file of it may have an object yet): each launch
  /// gets its own writable root, so what one launch writes cannot outlive it (and its frames
  /// come back when it ends).
  public init(copying pristine: FileTree) {
    contents = pristine.contents
    nodes = pristine.nodes
    freeSlots = pristine.freeSlots
    nextInode = pristine.nextInode
    liveInodes = pristine.liveInodes
  }

  func takeInode() -> UInt64 {
    defer { nextInode += 1 }
    return nextInode
  }

  /// The archive bytes of a regular file (its contents while it has no object).
  public func data(of node: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: contents[nodes[node].archiveData])
  }

  /// The position of `name` among `directory`'s entries, or where it would go.
  func position(in directory: Int, of name: [UInt8]) -> (index: Int, found: Bool) {
    let entries = nodes[directory].entries
    var low = 0
    var high = entries.count
    while low < high {
      let middle = (low + high) / 2
      let order = Self.compare(entries[middle].name, name)
      if order == 0 { return (middle, true) }
      if order < 0 { low = middle + 1 } else { high = middle }
    }
    return (low, false)
  }

  /// The inode named `name` in directory `directory`, by binary search.
  public func child(of directory: Int, named name: [UInt8]) -> Int? {
    let (index, found) = position(in: directory, of: name)
    return found ? nodes[directory].entries[index].node : nil
  }

  /// Adds a character device at an absolute `path` (creating its directories) unless the path
  /// already exists: the archive's own entry wins.
  public func addDevice(path: [UInt8], mode: UInt32, major: UInt32, minor: UInt32) {
    let entry = CPIOEntry(
      mode: FileMode.characterDevice | (mode & FileMode.permissionMask), modificationTime: 0,
      deviceMajor: major, deviceMinor: minor, name: 0..<0, data: 0..<0)
    if case .found = try? lookup(path, from: Self.root, followFinal: false) { return }
    insert(at: path, entry: entry)
  }

  /// `/dev/null`, `/dev/zero`, `/dev/full`, `/dev/urandom`, `/dev/random`, `/dev/tty` and
  /// `/dev/console`, and a `/tmp` (mode 1777), unless the archive has them (Linux's initramfs
  /// needs them made by mknod; this kernel provides them itself).
  public func addStandardDevices() {
    let devices: [(String, UInt32, UInt32, UInt32)] = [
      ("/dev/null", 0o666, CharacterDevice.memoryMajor, CharacterDevice.nullMinor),
      ("/dev/zero", 0o666, CharacterDevice.memoryMajor, CharacterDevice.zeroMinor),
      ("/dev/full", 0o666, CharacterDevice.memoryMajor, CharacterDevice.fullMinor),
      ("/dev/random", 0o666, CharacterDevice.memoryMajor, CharacterDevice.randomMinor),
      ("/dev/urandom", 0o666, CharacterDevice.memoryMajor, CharacterDevice.urandomMinor),
      ("/dev/tty", 0o666, CharacterDevice.ttyMajor, CharacterDevice.ttyMinor),
      ("/dev/console", 0o600, CharacterDevice.consoleMajor, CharacterDevice.consoleMinor),
    ]
    for (path, mode, major, minor) in devices {
      addDevice(path: Array(path.utf8), mode: mode, major: major, minor: minor)
    }
    if child(of: Self.root, named: Self.temporaryName) == nil {
      insert(
        at: Self.temporaryName,
        entry: CPIOEntry(
          mode: FileMode.directory | Self.temporaryMode, modificationTime: 0, deviceMajor: 0,
          deviceMinor: 0, name: 0..<0, data: 0..<0))
    }
  }

  /// `/tmp` and its mode (`drwxrwxrwt`: sticky, writable by all).
  static let temporaryName = Array("tmp".utf8)
  static let temporaryMode: UInt32 = 0o1777

  /// Places one archive member at `path` (relative to the root whatever its leading `/` or
  /// `./`).
  func insert(at path: [UInt8], entry: CPIOEntry) {
    let components = Self.components(of: path)
    guard !components.contains(where: { $0 == Self.dotDot }) else { return }
    var directory = Self.root
    for component in components.dropLast() {
      if let existing = child(of: directory, named: component) {
        guard nodes[existing].isDirectory else { return }
        directory = existing
      } else {
        directory = append(
          FileNode(mode: Self.impliedDirectoryMode, name: component, parent: directory),
          named: component)
      }
    }
    guard let last = components.last else {
      if entry.mode & FileMode.typeMask == FileMode.directory { apply(entry, to: Self.root) }
      return
    }
    if let existing = child(of: directory, named: last) {
      let wasDirectory = nodes[existing].isDirectory
      apply(entry, to: existing)
      if wasDirectory != nodes[existing].isDirectory {
        nodes[directory].subdirectories =
          wasDirectory ? nodes[directory].subdirectories - 1 : nodes[directory].subdirectories + 1
      }
    } else {
      var node = FileNode(mode: entry.mode, name: [], parent: directory)
      if entry.mode & FileMode.typeMask == FileMode.directory { node.name = last }
      let index = append(node, named: last)
      apply(entry, to: index)
    }
  }

  /// Gives `node` the member's type, permissions, data and device; a node that stops being a
  /// directory loses its entries.
  func apply(_ entry: CPIOEntry, to node: Int) {
    let time = UInt64(entry.modificationTime) * LinuxStructures.nanosecondsPerSecond
    nodes[node].mode = entry.mode
    nodes[node].accessTime = time
    nodes[node].modificationTime = time
    nodes[node].changeTime = time
    nodes[node].deviceMajor = entry.deviceMajor
    nodes[node].deviceMinor = entry.deviceMinor
    nodes[node].archiveData = 0..<0
    nodes[node].linkTarget = []
    nodes[node].size = 0
    if nodes[node].isRegular {
      nodes[node].archiveData = entry.data
      nodes[node].size = UInt64(entry.data.count)
    } else if nodes[node].isSymbolicLink {
      nodes[node].linkTarget = [UInt8](UnsafeRawBufferPointer(rebasing: contents[entry.data]))
      nodes[node].size = UInt64(entry.data.count)
    }
    if !nodes[node].isDirectory {
      nodes[node].entries = []
      nodes[node].subdirectories = 0
    }
  }

  /// Stores `node` in a free slot and links it into its parent's sorted entries as `name`;
  /// returns its index.
  func append(_ node: FileNode, named name: [UInt8]) -> Int {
    var node = node
    node.inode = takeInode()
    let index: Int
    if let slot = freeSlots.popLast() {
      index = slot
      nodes[slot] = node
    } else {
      index = nodes.count
      nodes.append(node)
    }
    liveInodes += 1
    link(index, in: node.parent, as: name)
    return index
  }

  /// Adds the entry `name` → `node` to `directory` (which has no such entry).
  func link(_ node: Int, in directory: Int, as name: [UInt8]) {
    let (index, _) = position(in: directory, of: name)
    nodes[directory].entries.insert(DirectoryEntry(name: name, node: node), at: index)
    if nodes[node].isDirectory { nodes[directory].subdirectories += 1 }
  }

  static let dot: [UInt8] = [UInt8(ascii: ".")]
  static let dotDot: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]
  static let slash = UInt8(ascii: "/")

  /// The non-empty, non-`.` components of an archive member's name.
  static func components(of path: [UInt8]) -> [[UInt8]] {
    path.split(separator: slash).map { [UInt8]($0) }.filter { $0 != dot }
  }

  /// Byte-wise order of two names (`memcmp`, then length): <0, 0, >0.
  static func compare(_ left: [UInt8], _ right: [UInt8]) -> Int {
    for index in 0..<min(left.count, right.count) where left[index] != right[index] {
      return left[index] < right[index] ? -1 : 1
    }
    return left.count == right.count ? 0 : (left.count < right.count ? -1 : 1)
  }
}
