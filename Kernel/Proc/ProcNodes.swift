/// The names of /proc: each node's `stat`, a link's target, a directory's entries.
///
/// Inode numbers are synthetic, as procfs's are: the root 1, the machine files from 2, a
/// process's files `pid << 16 | index` (its descriptors' links `| 0x100 + fd`, unique below
/// 0xff00 descriptors).
enum ProcNodes {
  static let rootInode: UInt64 = 1
  static let systemInodeBase: UInt64 = 2
  static let selfInode: UInt64 = 0x10
  static let threadSelfInode: UInt64 = 0x11
  static let processShift: UInt64 = 16
  static let descriptorInodeBase: UInt64 = 0x100
  /// /proc/sys and its directories from here, its files from `sysctlInodeBase` (below the
  /// first process's `1 << processShift`).
  static let sysDirectoryInodeBase: UInt64 = 0x100
  static let sysctlInodeBase: UInt64 = 0x200
  /// What `lstat` reports as the size of a descriptor's link (Linux: 64).
  static let descriptorLinkSize: UInt64 = 64
  /// Permission bits procfs gives its nodes.
  static let directoryMode = FileMode.directory | 0o555
  static let privateDirectoryMode = FileMode.directory | 0o500
  static let readableMode = FileMode.regular | 0o444
  static let ownerReadableMode = FileMode.regular | 0o400
  static let writableMode = FileMode.regular | 0o644
  static let linkMode = FileMode.symbolicLink | 0o777
  static let descriptorLinkMode = FileMode.symbolicLink | 0o700

  static func inode(of node: ProcNode) -> UInt64 {
    switch node {
    case .root: return rootInode
    case .selfLink: return selfInode
    case .threadSelfLink: return threadSelfInode
    case .system(let file):
      return systemInodeBase + UInt64(ProcSystemFile.allCases.firstIndex(of: file)!)
    case .sysDirectory(let directory):
      let index = directory.map { ProcSysctlDirectory.allCases.firstIndex(of: $0)! + 1 } ?? 0
      return sysDirectoryInodeBase + UInt64(index)
    case .sysctl(let file):
      return sysctlInodeBase + UInt64(ProcSysctl.allCases.firstIndex(of: file)!)
    case .process(let id, let thread, let file):
      let base = (thread ?? id) << processShift
      if case .descriptor(let number) = file { return base | (descriptorInodeBase + number) }
      if file == .directory { return base }
      let index = ProcProcessFile.listed.firstIndex { $0.file == file } ?? 0
      return base | UInt64(index + 1)
    }
  }

  static func mode(of node: ProcNode) -> UInt32 {
    switch node {
    case .root, .sysDirectory: return directoryMode
    case .selfLink, .threadSelfLink: return linkMode
    case .system, .sysctl: return readableMode
    case .process(_, _, let file):
      switch file {
      case .directory, .taskDirectory: return directoryMode
      case .descriptorDirectory: return privateDirectoryMode
      case .exe, .cwd, .root: return linkMode
      case .descriptor: return descriptorLinkMode
      case .environ, .pagemap: return ownerReadableMode
      case .comm: return writableMode
      default: return readableMode
      }
    }
  }

  /// Size 0 (procfs's files have no size), a descriptor's link 64; directories link count 2;
  /// the times now (procfs's inodes are made when looked up).
  static func status(of node: ProcNode) -> FileStatus {
    var size: UInt64 = 0
    if case .process(_, _, .descriptor) = node { size = descriptorLinkSize }
    return FileStatus(
      inode: inode(of: node), mode: mode(of: node), linkCount: node.isDirectory ? 2 : 1,
      size: size, blocks: 0,
      modificationTime: WallClock.nanoseconds() / LinuxStructures.nanosecondsPerSecond)
  }

  // MARK: links

  static func linkTarget(of node: ProcNode) throws(LinuxErrno) -> [UInt8] {
    let ids = ProcFileSystem.selfIDs
    switch node {
    case .selfLink: return Array(String(ids.process).utf8)
    case .threadSelfLink: return Array((String(ids.process) + "/task/" + String(ids.thread)).utf8)
    case .process(let id, _, let file):
      let owner = try ProcFileSystem.target(id)
      switch file {
      case .exe:
        guard let program = programNode(of: owner) else { throw .ENOENT }
        return displayPath(of: program, in: owner.fileSystem)
      case .cwd: return owner.fileSystem.path(of: owner.workingDirectory)
      case .root: return [UInt8(ascii: "/")]
      case .descriptor(let number): return name(of: try owner.descriptors.file(number), owner)
      default: throw .EINVAL
      }
    default: throw .EINVAL
    }
  }

  /// The path /proc shows for file `node`: a name it has (`FileTree.anyPath`), or, for a file
  /// no directory names any more, Linux's ` (deleted)` mark (the name it had is not kept).
  static func displayPath(of node: Int, in tree: FileTree) -> [UInt8] {
    tree.anyPath(of: node) ?? Array(" (deleted)".utf8)
  }

  /// What `fd/N` names: the file's path, `/dev/console`, `pipe:[inode]` for a pipe end and
  /// for standard input (a pipe on Linux's run-linux too), the /proc path of a /proc file.
  static func name(of file: OpenFile, _ owner: UserProcess) -> [UInt8] {
    switch file {
    case .node(let open): return displayPath(of: open.node, in: owner.fileSystem)
    case .console: return Array("/dev/console".utf8)
    case .pipe(let end): return Array(("pipe:[" + String(objectNumber(end.pipe)) + "]").utf8)
    case .input(let stream): return Array(("pipe:[" + String(objectNumber(stream)) + "]").utf8)
    case .generated(let generated): return generated.path
    }
  }

  /// A number naming a kernel object while it lives (its address in the kernel heap, in
  /// 16-byte units): what a pipe's inode number is here.
  static func objectNumber(_ object: AnyObject) -> UInt {
    UInt(bitPattern: ObjectIdentifier(object).hashValue) >> 4
  }

  /// The program file of `owner`: the root-file-system node whose bytes its program was
  /// loaded from (`ProgramRecord.file`). A scan of the tree's nodes — a readlink of `exe`
  /// or a maps read pays it, nothing else does.
  static func programNode(of owner: UserProcess) -> Int? {
    guard let file = owner.program.file else { return nil }
    return node(holding: file, in: owner.fileSystem)
  }

  /// The regular file whose bytes are `contents`, if any.
  static func node(holding contents: FileContents, in tree: FileTree) -> Int? {
    for index in tree.nodes.indices where tree.nodes[index].isLive && tree.nodes[index].isRegular {
      if tree.nodes[index].executableImage == contents { return index }
      let bytes = tree.data(of: index)
      if let base = bytes.baseAddress, UInt(bitPattern: base) == contents.address,
        UInt64(bytes.count) == contents.byteCount
      {
        return index
      }
    }
    return nil
  }

  // MARK: directories

  static func entries(of node: ProcNode) throws(LinuxErrno) -> [ProcDirectoryEntry] {
    var entries = [
      ProcDirectoryEntry(
        name: [UInt8(ascii: ".")], inode: inode(of: node), type: ProcDirectoryEntry.directoryType),
      ProcDirectoryEntry(
        name: [UInt8(ascii: "."), UInt8(ascii: ".")], inode: rootInode,
        type: ProcDirectoryEntry.directoryType),
    ]
    switch node {
    case .root: entries += rootEntries()
    case .sysDirectory(nil):
      for directory in ProcSysctlDirectory.allCases {
        entries.append(entry(directory.name, .sysDirectory(directory)))
      }
    case .sysDirectory(let directory?):
      for file in ProcSysctl.files(in: directory) {
        entries.append(entry(file.name, .sysctl(file)))
      }
    case .process(let id, let thread, let file):
      let owner = try ProcFileSystem.target(id)
      switch file {
      case .directory: entries += processEntries(id, thread: thread)
      case .taskDirectory:
        for member in owner.threads {
          entries.append(
            entry(String(member.user.tid), .process(id, thread: member.user.tid, .directory)))
        }
      case .descriptorDirectory:
        for number in owner.descriptors.openDescriptors {
          entries.append(entry(String(number), .process(id, thread: thread, .descriptor(number))))
        }
      default: throw .ENOTDIR
      }
    default: throw .ENOTDIR
    }
    return entries
  }

  static func rootEntries() -> [ProcDirectoryEntry] {
    var entries: [ProcDirectoryEntry] = []
    for process in Scheduler.shared.table.processes {
      entries.append(entry(String(process.id), .process(process.id, thread: nil, .directory)))
    }
    for file in ProcSystemFile.allCases { entries.append(entry(file.name, .system(file))) }
    entries.append(entry("sys", .sysDirectory(nil)))
    entries.append(entry("self", .selfLink))
    entries.append(entry("thread-self", .threadSelfLink))
    return entries
  }

  static func processEntries(_ id: UInt64, thread: UInt64?) -> [ProcDirectoryEntry] {
    ProcProcessFile.listed.compactMap { name, file in
      // A thread's directory has no task/ of its own.
      if thread != nil, file == .taskDirectory { return nil }
      return entry(name, .process(id, thread: thread, file))
    }
  }

  static func entry(_ name: String, _ node: ProcNode) -> ProcDirectoryEntry {
    let type =
      node.isDirectory
      ? ProcDirectoryEntry.directoryType
      : node.isLink ? ProcDirectoryEntry.linkType : ProcDirectoryEntry.regularType
    return ProcDirectoryEntry(name: Array(name.utf8), inode: inode(of: node), type: type)
  }
}
