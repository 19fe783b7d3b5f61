import KernelSupport

/// The machine-wide /proc files that are tables of this kernel's constants: the mounts, the
/// file-system types, and the /proc/sys settings.
enum SystemTables {
  /// `PID_MAX_LIMIT` (4 Mi on 64-bit): pids here are handed out upwards and never wrap.
  static let pidMax: UInt64 = 4 * 1024 * 1024
  /// `CAP_LAST_CAP` of Linux 6.1 (`CAP_CHECKPOINT_RESTORE`).
  static let lastCapability: UInt64 = 40
  /// `NGROUPS_MAX`.
  static let groupsMax: UInt64 = 65536
  /// `OVERCOMMIT_NEVER`: every reservation is charged against the commit limit up front.
  static let overcommitNever: UInt64 = 2
  /// `randomize_va_space` 0: no address-space randomisation.
  static let noRandomization: UInt64 = 0
  /// What `hostname` and `domainname` are when never set.
  static let unsetName = "(none)"

  /// The root file system (the launch's tree, in RAM: Linux's `rootfs`, a tmpfs) and procfs.
  static var mounts: [MountEntry] {
    [
      MountEntry(device: "rootfs", mountPoint: "/", type: "rootfs", options: "rw"),
      MountEntry(device: "proc", mountPoint: "/proc", type: "proc", options: "rw,relatime"),
    ]
  }

  /// The types this kernel has, in Linux's registration order.
  static var fileSystems: [FileSystemType] {
    [FileSystemType(name: "tmpfs"), FileSystemType(name: "proc"), FileSystemType(name: "pipefs")]
  }

  static func bytes(of file: ProcSysctl) -> [UInt8] {
    ProcSysctl.text(value(of: file))
  }

  static func value(of file: ProcSysctl) -> String {
    let physical = MemoryManager.physical!
    let frames = physical.frames.bitmap.usableFrameCount
    switch file {
    case .fileMax:
      return String(UInt64(Scheduler.processLimit) * ResourceLimits.openFilesHard)
    case .nrOpen: return String(ResourceLimits.openFilesCeiling)
    case .capLastCap: return String(lastCapability)
    case .domainname, .hostname: return file == .hostname ? ProcessCalls.nodeName : unsetName
    case .ngroupsMax: return String(groupsMax)
    case .osrelease: return ProcessCalls.release
    case .ostype: return ProcessCalls.systemName
    case .version: return ProcessCalls.version
    case .pidMax: return String(pidMax)
    case .randomizeVASpace: return String(noRandomization)
    case .threadsMax:
      return String(max(frames / ResourceLimits.framesPerThread, ResourceLimits.minimumThreads))
    case .maxMapCount: return String(RegionTable.defaultMaxMapCount)
    case .mmapMinAddress: return String(UserLayout.minimumAddress)
    case .overcommitMemory: return String(overcommitNever)
    case .overcommitRatio: return String(physical.commit.limit * 100 / max(frames, 1))
    }
  }
}
