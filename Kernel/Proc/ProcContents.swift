/// The text of each /proc file, made from the kernel's state when the file is opened.
enum ProcContents {
  static func bytes(of node: ProcNode) throws(LinuxErrno) -> [UInt8] {
    switch node {
    case .system(let file): return MachineReports.bytes(of: file)
    case .sysctl(let file): return SystemTables.bytes(of: file)
    case .process(let id, let thread, let file):
      let owner = try ProcFileSystem.target(id)
      let member = thread.flatMap { tid in owner.threads.first { $0.user.tid == tid } }
      return processFile(file, of: owner, thread: member)
    default: return []
    }
  }

  static func processFile(_ file: ProcProcessFile, of owner: UserProcess, thread: KernelThread?)
    -> [UInt8]
  {
    switch file {
    case .maps: return ProcMaps.text(ProcessReports.maps(of: owner))
    case .status: return ProcStatus.text(ProcessReports.status(of: owner, thread: thread))
    case .stat: return ProcProcessStat.stat(ProcessReports.statistics(of: owner, thread: thread))
    case .statm: return ProcProcessStat.statm(ProcessReports.statistics(of: owner, thread: nil))
    case .cmdline: return owner.isZombie ? [] : owner.program.commandLine
    case .environ: return owner.isZombie ? [] : owner.program.environment
    case .comm:
      return ProcessReports.commandName(of: owner, thread: thread) + [UInt8(ascii: "\n")]
    case .smaps: return ResidencyReports.smaps(of: owner)
    case .smapsRollup: return ResidencyReports.rollup(of: owner)
    case .mounts: return ProcMounts.mounts(SystemTables.mounts)
    // pagemap is read in place (`GeneratedFile.read(at:)`): its entries cover all of user space.
    default: return []
    }
  }
}
