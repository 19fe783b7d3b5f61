/// A machine-wide file of /proc.
public enum ProcSystemFile: CaseIterable, Equatable, Sendable {
  case cpuinfo, filesystems, loadavg, meminfo, mounts, stat, uptime, vmstat

  public var name: String {
    switch self {
    case .cpuinfo: return "cpuinfo"
    case .filesystems: return "filesystems"
    case .mounts: return "mounts"
    case .loadavg: return "loadavg"
    case .meminfo: return "meminfo"
    case .stat: return "stat"
    case .uptime: return "uptime"
    case .vmstat: return "vmstat"
    }
  }
}

/// A file of a /proc/PID (or /proc/PID/task/TID) directory.
public enum ProcProcessFile: Equatable, Sendable {
  case directory
  case cmdline, comm, environ, maps, stat, statm, status
  /// Per-region and summed residency (`smaps`, `smaps_rollup`), the page-frame map
  /// (`pagemap`, read in place: `ProcPagemap`), the mount table as the process sees it.
  case smaps, smapsRollup, pagemap, mounts
  /// Symbolic links: the program's file, the working directory, the root.
  case exe, cwd, root
  case descriptorDirectory
  /// `fd/N`: a link naming what descriptor N is open on.
  case descriptor(UInt64)
  case taskDirectory

  /// The entries of a process directory, in the order getdents lists them (Linux's
  /// `tgid_base_stuff` order, for the files this kernel has).
  public static let listed: [(name: String, file: ProcProcessFile)] = [
    ("task", .taskDirectory), ("fd", .descriptorDirectory), ("environ", .environ),
    ("status", .status), ("cmdline", .cmdline), ("comm", .comm), ("stat", .stat),
    ("statm", .statm), ("maps", .maps), ("mounts", .mounts), ("cwd", .cwd),
    ("root", .root), ("exe", .exe), ("smaps", .smaps), ("smaps_rollup", .smapsRollup),
    ("pagemap", .pagemap),
  ]

  public var isDirectory: Bool {
    self == .directory || self == .descriptorDirectory || self == .taskDirectory
  }

  public var isLink: Bool {
    switch self {
    case .exe, .cwd, .root, .descriptor: return true
    default: return false
    }
  }
}

/// What a path under /proc names, before the kernel looks the process up.
public enum ProcNode: Equatable, Sendable {
  /// `/proc` itself.
  case root
  /// `/proc/self` and `/proc/thread-self` when not followed (readlink, lstat).
  case selfLink
  case threadSelfLink
  case system(ProcSystemFile)
  /// `/proc/sys` (nil) and its directories; one of their files.
  case sysDirectory(ProcSysctlDirectory?)
  case sysctl(ProcSysctl)
  /// `/proc/PID/…`; `thread` is the TID of `/proc/PID/task/TID/…` (nil: the process's own).
  case process(UInt64, thread: UInt64?, ProcProcessFile)

  public var isDirectory: Bool {
    switch self {
    case .root, .sysDirectory: return true
    case .process(_, _, let file): return file.isDirectory
    default: return false
    }
  }

  public var isLink: Bool {
    switch self {
    case .selfLink, .threadSelfLink: return true
    case .process(_, _, let file): return file.isLink
    default: return false
    }
  }
}

/// Path resolution under /proc: an absolute path whose first real component is `proc` is
/// answered here (procfs is mounted on /proc, hiding whatever the root tree has there); any
/// other path is the file system's (nil). `.` and `..` are taken lexically (nothing under
/// /proc is a link to a directory outside it but `cwd`/`root`, which are not walked through).
/// `self` and `thread-self` are followed unless they are the last component and the caller
/// does not follow it (readlink, lstat).
public enum ProcPath {
  /// Where procfs is mounted.
  public static let mountName: [UInt8] = Array("proc".utf8)
  static let selfName: [UInt8] = Array("self".utf8)
  static let threadSelfName: [UInt8] = Array("thread-self".utf8)

  /// The node `path` names, given the caller's pid and tid; nil for a path outside /proc;
  /// ENOENT for a name /proc does not have, ENOTDIR for a component under a file.
  public static func resolve(
    _ path: [UInt8], selfID: UInt64, threadID: UInt64, followFinal: Bool
  ) throws(LinuxErrno) -> ProcNode? {
    guard path.first == UInt8(ascii: "/"), mentionsMount(path) else { return nil }
    // A trailing slash makes the last component an intermediate one: a link there is followed.
    let followFinal = followFinal || path.last == UInt8(ascii: "/")
    let components = lexical(path)
    guard components.first == mountName else { return nil }
    var names = Array(components.dropFirst())
    if names.isEmpty { return .root }
    let last = names.count == 1
    if names[0] == selfName {
      if last && !followFinal { return .selfLink }
      names[0] = Array(String(selfID).utf8)
    } else if names[0] == threadSelfName {
      if last && !followFinal { return .threadSelfLink }
      names.replaceSubrange(
        0..<1, with: [Array(String(selfID).utf8), Array("task".utf8), Array(String(threadID).utf8)])
    }
    if names[0] == ProcSysctl.directoryName { return try ProcSysctl.resolve(names.dropFirst()) }
    if names.count == 1,
      let file = ProcSystemFile.allCases.first(where: {
        Array($0.name.utf8) == names[0]
      })
    {
      return .system(file)
    }
    guard let id = number(names[0]) else { throw .ENOENT }
    return try processNode(id, Array(names.dropFirst()))
  }

  /// `PID/rest…`.
  static func processNode(_ id: UInt64, _ rest: [[UInt8]]) throws(LinuxErrno) -> ProcNode {
    var rest = rest
    var thread: UInt64? = nil
    if rest.first == Array("task".utf8), rest.count >= 2 {
      guard let tid = number(rest[1]) else { throw .ENOENT }
      thread = tid
      rest.removeFirst(2)
    }
    guard let name = rest.first else { return .process(id, thread: thread, .directory) }
    if name == Array("fd".utf8), rest.count >= 2 {
      guard rest.count == 2, let descriptor = number(rest[1]) else {
        throw rest.count == 2 ? .ENOENT : .ENOTDIR
      }
      return .process(id, thread: thread, .descriptor(descriptor))
    }
    guard let entry = ProcProcessFile.listed.first(where: { Array($0.name.utf8) == name }) else {
      throw .ENOENT
    }
    if rest.count > 1 { throw entry.file.isDirectory ? .ENOENT : .ENOTDIR }
    return .process(id, thread: thread, entry.file)
  }

  /// Whether `path` contains `proc` at all: every open and stat of the root file system asks,
  /// so the common answer (no) costs one scan and no allocation.
  static func mentionsMount(_ path: [UInt8]) -> Bool {
    guard path.count >= mountName.count else { return false }
    for start in 0...(path.count - mountName.count)
    where path[start] == mountName[0]
      && path[start..<start + mountName.count].elementsEqual(mountName)
    {
      return true
    }
    return false
  }

  /// A decimal name without sign or leading zeros ("0" is no pid either), as
  /// `name_to_int` accepts.
  public static func number(_ name: [UInt8]) -> UInt64? {
    guard let first = name.first, first != UInt8(ascii: "0"), name.count <= 19 else { return nil }
    var value: UInt64 = 0
    for byte in name {
      guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
      value = value * 10 + UInt64(byte - UInt8(ascii: "0"))
    }
    return value
  }

  /// `path` made absolute against `directory` (an absolute /proc path): what a relative path
  /// names from a /proc working directory or directory descriptor.
  public static func absolute(_ path: [UInt8], from directory: [UInt8]) -> [UInt8] {
    path.first == UInt8(ascii: "/") ? path : directory + [UInt8(ascii: "/")] + path
  }

  /// The absolute path `path` normalises to (`/proc/1/..` → `/proc`): what getcwd answers.
  public static func normalized(_ path: [UInt8]) -> [UInt8] {
    let components = lexical(path)
    guard !components.isEmpty else { return [UInt8(ascii: "/")] }
    return components.flatMap { [UInt8(ascii: "/")] + $0 }
  }

  /// The components of an absolute path with `.`, `..` and repeated slashes taken away.
  static func lexical(_ path: [UInt8]) -> [[UInt8]] {
    var components: [[UInt8]] = []
    for component in path.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
      let name = Array(component)
      if name == [UInt8(ascii: ".")] { continue }
      if name == [UInt8(ascii: "."), UInt8(ascii: ".")] {
        if !components.isEmpty { components.removeLast() }
        continue
      }
      components.append(name)
    }
    return components
  }
}
