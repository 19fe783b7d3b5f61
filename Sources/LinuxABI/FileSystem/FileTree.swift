/// One file of the root file system: a directory, a regular file, a symbolic link or a
/// special file. Its contents are a range of the archive's bytes (never copied).
public struct FileNode: Sendable {
  /// `st_mode`: type and permissions.
  public var mode: UInt32
  /// The name in its directory (empty for the root).
  public var name: [UInt8]
  /// The directory holding it (the root is its own parent, as `/..` is `/`).
  public var parent: Int
  /// A directory's entries, ordered by name so that a lookup is a binary search.
  public var children: [Int] = []
  /// A regular file's bytes, a symlink's target, in the archive.
  public var data: Range<Int> = 0..<0
  /// A special file's `rdev`.
  public var deviceMajor: UInt32 = 0
  public var deviceMinor: UInt32 = 0
  /// `st_mtime` in seconds.
  public var modificationTime: UInt32 = 0

  public var type: UInt32 { mode & FileMode.typeMask }
  public var isDirectory: Bool { type == FileMode.directory }
  public var isSymbolicLink: Bool { type == FileMode.symbolicLink }
  public var isRegular: Bool { type == FileMode.regular }
  public var isCharacterDevice: Bool { type == FileMode.characterDevice }
}

/// The read-only root file system: the tree of an initramfs archive (cpio newc), with the
/// file contents left in the archive's memory.
///
/// Nodes live in one array and are named by index (the index + 1 is the inode number). A
/// directory keeps its children sorted by name, so each path component costs one binary search
/// (no hashing: the kernel has no Dictionary). Later archive members replace earlier ones of
/// the same path, as Linux's initramfs unpacking does; missing parent directories are created
/// (mode 0755); members whose name has a `..` component or whose parent is not a directory are
/// ignored, so a hostile archive cannot place a file outside the tree.
public final class FileTree {
  /// The root directory's index.
  public static let root = 0
  /// Mode of directories the archive implies without listing them (`drwxr-xr-x`).
  public static let impliedDirectoryMode: UInt32 = FileMode.directory | 0o755

  public private(set) var nodes: [FileNode]
  /// The archive the nodes' data ranges refer to.
  public let contents: UnsafeRawBufferPointer

  /// An empty root directory.
  public init() {
    contents = UnsafeRawBufferPointer(start: nil, count: 0)
    nodes = [FileNode(mode: Self.impliedDirectoryMode, name: [], parent: Self.root)]
  }

  /// The tree of the archive in `bytes`, which must stay mapped while the tree is used.
  public init(archive bytes: UnsafeRawBufferPointer) throws(CPIOError) {
    contents = bytes
    nodes = [FileNode(mode: Self.impliedDirectoryMode, name: [], parent: Self.root)]
    let archive = CPIOArchive(bytes)
    for entry in try archive.entries() {
      let name = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[entry.name]))
      insert(at: name, entry: entry)
    }
  }

  /// The bytes of a regular file or a symlink's target.
  public func data(of node: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: contents[nodes[node].data])
  }

  /// The entry named `name` in directory `directory`, by binary search.
  public func child(of directory: Int, named name: [UInt8]) -> Int? {
    let children = nodes[directory].children
    var low = 0
    var high = children.count
    while low < high {
      let middle = (low + high) / 2
      let order = Self.compare(nodes[children[middle]].name, name)
      if order == 0 { return children[middle] }
      if order < 0 { low = middle + 1 } else { high = middle }
    }
    return nil
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

  /// `/dev/null`, `/dev/zero` and `/dev/console`, unless the archive has them (Linux's
  /// initramfs needs `/dev/console` made by mknod; this kernel provides the three itself).
  public func addStandardDevices() {
    addDevice(
      path: Array("/dev/null".utf8), mode: 0o666, major: CharacterDevice.memoryMajor,
      minor: CharacterDevice.nullMinor)
    addDevice(
      path: Array("/dev/zero".utf8), mode: 0o666, major: CharacterDevice.memoryMajor,
      minor: CharacterDevice.zeroMinor)
    addDevice(
      path: Array("/dev/console".utf8), mode: 0o600, major: CharacterDevice.consoleMajor,
      minor: CharacterDevice.consoleMinor)
  }

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
          FileNode(mode: Self.impliedDirectoryMode, name: component, parent: directory))
      }
    }
    guard let last = components.last else {
      if entry.mode & FileMode.typeMask == FileMode.directory { apply(entry, to: Self.root) }
      return
    }
    if let existing = child(of: directory, named: last) {
      apply(entry, to: existing)
    } else {
      var node = FileNode(mode: 0, name: last, parent: directory)
      node.mode = entry.mode
      let index = append(node)
      apply(entry, to: index)
    }
  }

  /// Gives `node` the member's type, permissions, data and device; a node that stops being a
  /// directory loses its entries.
  func apply(_ entry: CPIOEntry, to node: Int) {
    nodes[node].mode = entry.mode
    nodes[node].modificationTime = entry.modificationTime
    nodes[node].deviceMajor = entry.deviceMajor
    nodes[node].deviceMinor = entry.deviceMinor
    let type = entry.mode & FileMode.typeMask
    let hasData = type == FileMode.regular || type == FileMode.symbolicLink
    nodes[node].data = hasData ? entry.data : 0..<0
    if !nodes[node].isDirectory { nodes[node].children = [] }
  }

  /// Appends `node` and links it into its parent's sorted entries; returns its index.
  func append(_ node: FileNode) -> Int {
    let index = nodes.count
    nodes.append(node)
    var low = 0
    var high = nodes[node.parent].children.count
    while low < high {
      let middle = (low + high) / 2
      let order = Self.compare(nodes[nodes[node.parent].children[middle]].name, node.name)
      if order < 0 { low = middle + 1 } else { high = middle }
    }
    nodes[node.parent].children.insert(index, at: low)
    return index
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
