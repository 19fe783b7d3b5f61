/// What the kernel does when it was given programs (Multiboot modules): runs them all, prints
/// the final memory summary, and ends the QEMU run — 33 when every process gave back every
/// frame, 37 when the accounting found a leak.
enum ProgramMode {
  static func run(_ modules: [MultibootInformation.Module]) -> Never {
    let (fileSystem, programs) = BootModules.programs(modules)
    let clean = ProcessRunner.runAll(programs, fileSystem: fileSystem)
    let statistics = MemoryManager.bitmap!.statistics
    ProcessConsole.line(
      "all " + String(programs.count) + " programs done; " + statistics.description
        + "; kernel heap took " + String(MemoryManager.heapFramesTaken) + " frames")
    ProcessConsole.line(
      clean ? "frame accounting clean after every process" : "FRAME ACCOUNTING FAILED")
    exitQEMU(clean ? .success : .testsFailed)
  }
}
