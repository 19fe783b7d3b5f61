/// The answer of a path walk: the file, or — when only the last component is missing — the
/// directory it would be created in (so `open(O_CREAT)` can tell EROFS from ENOENT).
public enum PathLookup: Equatable, Sendable {
  case found(Int)
  case missing(parent: Int)
}

/// Path resolution as Linux's `path_lookupat` does it (path_resolution(7)): components are
/// looked up one by one from the root (an absolute path) or `start`; every component but the
/// last must be a directory (ENOTDIR) that exists (ENOENT); `.` stays, `..` goes up (and stays
/// at the root); a symbolic link met before the last component is always followed, the last one
/// only when `followFinal`; a trailing `/` makes the last component an intermediate one (it
/// must be a directory, and a symlink there is followed). At most `maximumSymbolicLinks` links
/// are followed in one walk (ELOOP after), a component is at most `maximumNameLength` bytes
/// (ENAMETOOLONG).
extension FileTree {
  /// `MAXSYMLINKS` (include/linux/namei.h).
  public static let maximumSymbolicLinks = 40
  /// `NAME_MAX`.
  public static let maximumNameLength = 255
  /// `PATH_MAX`: the longest path a call accepts, its NUL included.
  public static let maximumPathLength = 4096

  /// Walks `path` (not empty: callers answer ENOENT for "" themselves).
  public func lookup(_ path: [UInt8], from start: Int, followFinal: Bool) throws(LinuxErrno)
    -> PathLookup
  {
    var current = path.first == Self.slash ? Self.root : start
    var pending = Self.walkComponents(of: path).reversed() as [[UInt8]]
    var linksFollowed = 0
    while let name = pending.popLast() {
      guard nodes[current].isDirectory else { throw .ENOTDIR }
      if name == Self.dot { continue }
      if name == Self.dotDot {
        current = nodes[current].parent
        continue
      }
      guard name.count <= Self.maximumNameLength else { throw .ENAMETOOLONG }
      guard let next = child(of: current, named: name) else {
        if pending.isEmpty { return .missing(parent: current) }
        throw .ENOENT
      }
      guard nodes[next].isSymbolicLink, !pending.isEmpty || followFinal else {
        current = next
        continue
      }
      linksFollowed += 1
      guard linksFollowed <= Self.maximumSymbolicLinks else { throw .ELOOP }
      let target = nodes[next].linkTarget
      guard !target.isEmpty else { throw .ENOENT }
      if target.first == Self.slash { current = Self.root }
      pending.append(contentsOf: Self.walkComponents(of: target).reversed())
    }
    return .found(current)
  }

  /// The file at `path`, or ENOENT.
  public func resolve(_ path: [UInt8], from start: Int, followFinal: Bool = true)
    throws(LinuxErrno) -> Int
  {
    switch try lookup(path, from: start, followFinal: followFinal) {
    case .found(let node): return node
    case .missing: throw .ENOENT
    }
  }

  /// The absolute path of directory `node`, as `getcwd` reports it.
  public func path(of node: Int) -> [UInt8] {
    guard node != Self.root else { return [Self.slash] }
    var parts: [[UInt8]] = []
    var current = node
    while current != Self.root {
      parts.append(nodes[current].name)
      current = nodes[current].parent
    }
    var path: [UInt8] = []
    for part in parts.reversed() { path += [Self.slash] + part }
    return path
  }

  /// A path naming `node`, as /proc's `maps`, `exe` and `fd/` show it: a directory's own
  /// path, or for any other file the first directory entry naming it (a hard-linked file has
  /// several; files keep no parent, so this scans every directory — only a /proc reader pays
  /// it). nil for a file no entry names any more (unlinked but open or mapped).
  public func anyPath(of node: Int) -> [UInt8]? {
    if nodes[node].isDirectory { return path(of: node) }
    for directory in nodes.indices where nodes[directory].isLive && nodes[directory].isDirectory {
      for entry in nodes[directory].entries where entry.node == node {
        let prefix = directory == Self.root ? [] : path(of: directory)
        return prefix + [Self.slash] + entry.name
      }
    }
    return nil
  }

  /// A path's components for the walk, with `.` kept and a trailing `/` read as `/.`.
  static func walkComponents(of path: [UInt8]) -> [[UInt8]] {
    var components = path.split(separator: slash).map { [UInt8]($0) }
    if path.last == slash, !components.isEmpty { components.append(dot) }
    return components
  }
}
