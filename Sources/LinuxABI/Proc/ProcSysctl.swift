/// A directory of `/proc/sys` (kernel/sysctl.c's tables): the ones programs read.
public enum ProcSysctlDirectory: CaseIterable, Equatable, Sendable {
  case fs, kernel, vm

  public var name: String {
    switch self {
    case .fs: return "fs"
    case .kernel: return "kernel"
    case .vm: return "vm"
    }
  }
}

/// A file of `/proc/sys`: the settings C libraries, shells and interpreters read (glibc's
/// `sysconf`, python's `os`, busybox's `sysctl`, `nproc`…), read-only here (nothing can change
/// them: every value is a constant of this kernel or of its memory manager). One decimal or
/// string value and a newline, as `proc_dointvec` / `proc_dostring` print it.
public enum ProcSysctl: CaseIterable, Equatable, Sendable {
  case fileMax, nrOpen
  case capLastCap, domainname, hostname, ngroupsMax, osrelease, ostype, pidMax
  case randomizeVASpace, threadsMax, version
  case maxMapCount, mmapMinAddress, overcommitMemory, overcommitRatio

  /// The first component under /proc.
  public static let directoryName: [UInt8] = Array("sys".utf8)

  public var directory: ProcSysctlDirectory {
    switch self {
    case .fileMax, .nrOpen: return .fs
    case .maxMapCount, .mmapMinAddress, .overcommitMemory, .overcommitRatio: return .vm
    default: return .kernel
    }
  }

  public var name: String {
    switch self {
    case .fileMax: return "file-max"
    case .nrOpen: return "nr_open"
    case .capLastCap: return "cap_last_cap"
    case .domainname: return "domainname"
    case .hostname: return "hostname"
    case .ngroupsMax: return "ngroups_max"
    case .osrelease: return "osrelease"
    case .ostype: return "ostype"
    case .pidMax: return "pid_max"
    case .randomizeVASpace: return "randomize_va_space"
    case .threadsMax: return "threads-max"
    case .version: return "version"
    case .maxMapCount: return "max_map_count"
    case .mmapMinAddress: return "mmap_min_addr"
    case .overcommitMemory: return "overcommit_memory"
    case .overcommitRatio: return "overcommit_ratio"
    }
  }

  /// The files of `directory`, in name order (what getdents lists).
  public static func files(in directory: ProcSysctlDirectory) -> [ProcSysctl] {
    allCases.filter { $0.directory == directory }.sorted { $0.name < $1.name }
  }

  /// The node `sys/rest…` names: ENOENT for a name /proc/sys does not have, ENOTDIR below a
  /// file.
  static func resolve(_ names: ArraySlice<[UInt8]>) throws(LinuxErrno) -> ProcNode {
    guard let first = names.first else { return .sysDirectory(nil) }
    guard
      let directory = ProcSysctlDirectory.allCases.first(where: { Array($0.name.utf8) == first })
    else { throw .ENOENT }
    let rest = names.dropFirst()
    guard let name = rest.first else { return .sysDirectory(directory) }
    guard let file = files(in: directory).first(where: { Array($0.name.utf8) == name }) else {
      throw .ENOENT
    }
    if rest.count > 1 { throw .ENOTDIR }
    return .sysctl(file)
  }

  /// The file's text: `value` and a newline.
  public static func text(_ value: String) -> [UInt8] { Array((value + "\n").utf8) }
}
