import KernelSupport

/// A process's /proc/PID files from its `UserProcess` and address space: regions for maps,
/// the space's counters and the signal state for status and stat. Read-only.
enum ProcessReports {
  static let pageBytes = PageSize.size4KiB.bytes
  static let kibibytesPerPage = PageSize.size4KiB.bytes / 1024
  /// `USER_HZ`: the clock ticks of stat's times.
  static let ticksPerSecond = InitialStack.clockTicksPerSecond
  /// Linux names the object of a `MAP_SHARED | MAP_ANONYMOUS` region after shmem's file.
  static let sharedAnonymousName: [UInt8] = Array("/dev/zero (deleted)".utf8)
  /// The device of shmem's internal mount (`00:01`), where that file lives.
  static let sharedMemoryMinor: UInt32 = 1

  // MARK: maps

  /// One line per region in address order; guard pages (never mappable) are left out, as
  /// Linux's stack guard gap is no VMA.
  static func maps(of owner: UserProcess) -> [MapsEntry] {
    guard let space = owner.addressSpace else { return [] }
    var entries: [MapsEntry] = []
    var files: [(object: MemoryObjectID, name: [UInt8], inode: UInt64)] = []
    for region in space.regions where region.kind != .guardPage {
      var entry = MapsEntry(
        start: region.range.start, end: region.range.end,
        readable: region.protection.contains(.read), writable: region.protection.contains(.write),
        executable: region.protection.contains(.execute), shared: region.isMappedShared)
      switch region.kind {
      case .heap: entry.name = ProcMaps.heapName
      case .stack: entry.name = ProcMaps.stackName
      case .sharedAnonymous:
        entry.name = sharedAnonymousName
        entry.deviceMinor = sharedMemoryMinor
        entry.inode = UInt64(region.object?.slot ?? 0)
      default: break
      }
      if let object = region.object, let file = fileName(of: object, owner, space, &files) {
        entry.name = file.name
        entry.inode = file.inode
        entry.offset = region.objectOffset * pageBytes
      }
      entries.append(entry)
    }
    return entries
  }

  /// The path and inode of the root-file-system file whose page cache `object` is (looked up
  /// once per object per maps read, `known` remembering them); nil for anonymous memory.
  static func fileName(
    of object: MemoryObjectID, _ owner: UserProcess, _ space: ProcessAddressSpace,
    _ known: inout [(object: MemoryObjectID, name: [UInt8], inode: UInt64)]
  ) -> (name: [UInt8], inode: UInt64)? {
    if let found = known.first(where: { $0.object == object }) { return (found.name, found.inode) }
    guard let node = fileNode(of: object, owner.fileSystem, space) else { return nil }
    let name = ProcNodes.displayPath(of: node, in: owner.fileSystem)
    let inode = owner.fileSystem.status(of: node).inode
    known.append((object, name, inode))
    return (name, inode)
  }

  /// The file of the launch's tree whose pages `object` holds: the inode whose object it is
  /// (a file written or mapped as a file), or, for an object the page cache took for
  /// `execve` and knows by its bytes, the file holding those bytes. A scan of the tree — a maps read pays it once per
  /// object.
  static func fileNode(
    of object: MemoryObjectID, _ tree: FileTree, _ space: ProcessAddressSpace
  ) -> Int? {
    switch space.physical.objects[object].kind {
    case .anonymousShared: return nil
    case .fileContents(let contents): return ProcNodes.node(holding: contents, in: tree)
    case .file:
      if let node = tree.nodes.indices.first(where: {
        tree.nodes[$0].isLive && tree.nodes[$0].object == object
      }) {
        return node
      }
      guard let bytes = space.physical.pageCache.file(cachedAs: object) else { return nil }
      return ProcNodes.node(holding: bytes, in: tree)
    }
  }

  // MARK: sizes

  /// The sizes status and statm report, in pages.
  struct Sizes {
    var virtual: UInt64 = 0
    var data: UInt64 = 0
    var stack: UInt64 = 0
    var executable: UInt64 = 0
    var residentFile: UInt64 = 0
    var residentShared: UInt64 = 0
    var resident: UInt64 = 0
    var codeStart: UInt64 = 0
    var codeEnd: UInt64 = 0
    var dataStart: UInt64 = 0
    var dataEnd: UInt64 = 0
    var stackEnd: UInt64 = 0
  }

  /// Linux's `task_mem` classes: data is private writable memory that is not the stack,
  /// the executable part is what may be executed and not written; file and shared-memory
  /// residency as the regions' objects have their frames mapped.
  static func sizes(of space: ProcessAddressSpace) -> Sizes {
    var sizes = Sizes()
    for region in space.regions where region.kind != .guardPage {
      let pages = region.range.pageCount
      sizes.virtual += pages
      let writable = region.protection.contains(.write)
      if region.kind == .stack {
        sizes.stack += pages
        sizes.stackEnd = region.range.end
      } else if writable, !region.kind.isShared {
        sizes.data += pages
        if region.object != nil, sizes.dataStart == 0 {
          sizes.dataStart = region.range.start
          sizes.dataEnd = region.range.end
        }
      }
      if region.protection.contains(.execute), !writable {
        sizes.executable += pages
        if sizes.codeStart == 0 { sizes.codeStart = region.range.start }
        sizes.codeEnd = max(sizes.codeEnd, region.range.end)
      }
      let objectPages = space.residentObjectPages(of: region)
      if region.kind.isShared {
        sizes.residentShared += objectPages
      } else {
        sizes.residentFile += objectPages
      }
    }
    sizes.resident = space.residentFrames
    return sizes
  }

  // MARK: status

  /// `TASK_COMM_LEN` - 1: the longest `comm`.
  static let commandNameLimit = 15

  /// Linux's `comm` of `thread` (nil: the process's oldest thread, as `/proc/PID/comm` reports
  /// its leader's): what `prctl(PR_SET_NAME)` set, else the program file's base name, at most
  /// 15 bytes (the process's name is argv[0] for a launch's first program, so its last
  /// component is taken).
  static func commandName(of owner: UserProcess, thread: KernelThread? = nil) -> [UInt8] {
    if let set = (thread ?? owner.thread)?.user.commandName { return set }
    let name = Array(owner.name.utf8)
    let base = name.split(separator: UInt8(ascii: "/")).last.map(Array.init) ?? name
    return Array(base.prefix(commandNameLimit))
  }

  static func state(of owner: UserProcess, thread: KernelThread?) -> ProcessState {
    if owner.isZombie { return .zombie }
    let members = thread.map { [$0] } ?? owner.threads
    let running = members.contains { $0.state == .running || $0.state == .runnable }
    return running ? .running : .sleeping
  }

  static func status(of owner: UserProcess, thread: KernelThread?) -> ProcessStatus {
    var status = ProcessStatus()
    let member = thread ?? owner.thread
    status.name = commandName(of: owner, thread: member)
    status.state = state(of: owner, thread: thread)
    status.threadGroupID = owner.id
    status.processID = member?.user.tid ?? owner.id
    status.parentID = owner.parent?.id ?? UserProcess.parentID
    status.descriptorCapacity = UInt64(owner.descriptors.capacity)
    if let space = owner.addressSpace {
      let sizes = sizes(of: space)
      status.virtualKiB = sizes.virtual * kibibytesPerPage
      status.peakVirtualKiB = status.virtualKiB
      status.residentFileKiB = sizes.residentFile * kibibytesPerPage
      status.residentSharedKiB = sizes.residentShared * kibibytesPerPage
      let anonymous =
        sizes.resident - min(sizes.resident, sizes.residentFile + sizes.residentShared)
      status.residentAnonymousKiB = anonymous * kibibytesPerPage
      status.peakResidentKiB = max(owner.peakResidentFrames, sizes.resident) * kibibytesPerPage
      status.dataKiB = sizes.data * kibibytesPerPage
      status.stackKiB = sizes.stack * kibibytesPerPage
      status.executableKiB = sizes.executable * kibibytesPerPage
      status.swapKiB = space.swappedPages * kibibytesPerPage  // issue 12
    }
    status.threads = UInt64(owner.threads.count)
    let signals = signalSets(of: owner, thread: member)
    status.threadPending = signals.threadPending
    status.sharedPending = signals.sharedPending
    status.blocked = signals.blocked
    status.ignored = signals.ignored
    status.caught = signals.caught
    status.queuedSignals = UInt64(signals.sharedPending.nonzeroBitCount)
    status.queuedSignalLimit =
      (try? owner.limits.limit(ResourceLimits.Resource.pendingSignals).soft) ?? 0
    return status
  }

  /// The pending (own and shared), blocked, ignored and caught sets as bit masks.
  static func signalSets(of owner: UserProcess, thread: KernelThread?) -> (
    threadPending: UInt64, sharedPending: UInt64, blocked: UInt64, ignored: UInt64, caught: UInt64
  ) {
    var ignored: UInt64 = 0
    var caught: UInt64 = 0
    for number in 1...LinuxSignal.count {
      guard let signal = LinuxSignal(rawValue: number) else { continue }
      let handler = owner.signals.action(for: signal).handler
      let bit: UInt64 = 1 << UInt64(number - 1)
      if handler == SignalAction.ignoreHandler { ignored |= bit }
      if handler != SignalAction.ignoreHandler, handler != SignalAction.defaultHandler {
        caught |= bit
      }
    }
    return (
      thread?.signals.pending.rawValue ?? 0, owner.signals.pending.rawValue,
      thread?.signals.blocked.rawValue ?? 0, ignored, caught
    )
  }

  // MARK: stat, statm

  static func clockTicks(_ nanoseconds: UInt64) -> UInt64 {
    nanoseconds / (LinuxStructures.nanosecondsPerSecond / ticksPerSecond)
  }

  static func statistics(of owner: UserProcess, thread: KernelThread?) -> ProcessStatistics {
    var stat = ProcessStatistics()
    let status = status(of: owner, thread: thread)
    stat.processID = status.processID
    stat.name = status.name
    stat.state = status.state
    stat.parentID = status.parentID
    stat.groupID = owner.groupID
    stat.sessionID = owner.sessionID
    stat.minorFaults = owner.addressSpace?.resolvedFaults ?? owner.faultsAtEnd
    let times = ProcessTimes(of: owner)
    stat.userTicks = clockTicks(times.userNanoseconds)
    stat.systemTicks = clockTicks(times.systemNanoseconds)
    stat.childUserTicks = clockTicks(owner.reapedChildrenUserNanoseconds)
    stat.childSystemTicks = clockTicks(owner.reapedChildrenSystemNanoseconds)
    stat.threads = status.threads
    stat.startTicks = clockTicks(MonotonicClock.nanoseconds(ofTicks: owner.enteredAt))
    if let space = owner.addressSpace {
      let sizes = sizes(of: space)
      stat.virtualBytes = sizes.virtual * pageBytes
      stat.residentPages = sizes.resident
      stat.codeStart = sizes.codeStart
      stat.codeEnd = sizes.codeEnd
      stat.stackStart = sizes.stackEnd
      stat.dataStart = sizes.dataStart
      stat.dataEnd = sizes.dataEnd
      stat.breakStart = space.heapStart
      stat.sharedPages = sizes.residentFile + sizes.residentShared
      stat.textPages = sizes.executable
      stat.dataPages = sizes.data + sizes.stack
    }
    stat.pending = status.threadPending | status.sharedPending
    stat.blocked = status.blocked
    stat.ignored = status.ignored
    stat.caught = status.caught
    if let end = owner.end { stat.exitCode = WaitCalls.statusWord(end) }
    return stat
  }
}
