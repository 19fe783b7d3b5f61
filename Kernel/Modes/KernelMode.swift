import KernelSupport

/// What the kernel does after booting, chosen by `test=NAME` on the Multiboot command line
/// (QEMU: `-append "test=NAME"`). Without it: the memory-manager demonstration.
enum KernelMode {
  /// Boot summary, then map/write/translate/unmap/fault on the real MMU, then a clean exit.
  case demo
  /// In-kernel tests of the core on the real MMU; prints `SELFTEST RESULT: N passed, M failed`.
  case selfTest
  /// Writes to an unmapped kernel address: must panic with the page-fault report.
  case kernelPageFault
  /// Writes to the kernel's own text: must panic with a protection-violation report (CR0.WP).
  case kernelTextWrite
  /// Loads through a non-canonical address: must panic with a #GP report.
  case generalProtection
  /// Recurses until the stack guard page: must panic from the double-fault handler.
  case stackOverflow
  /// Recurses on a thread's kernel stack until its guard page: the same panic.
  case threadStackOverflow
  /// Allocates until physical memory runs out: the heap must panic (no page file).
  case heapExhaustion
  /// Writes and reads back the swap disk (`SwapDiskSelfTest`); prints `SWAP-DISK RESULT`.
  case swapDisk
  /// Prints translations for the QMP oracle, then idles so QEMU can be inspected.
  case qmpIdle
  /// An unknown `test=` value.
  case unknown(String)

  /// Reads `test=NAME` from the command line.
  init(commandLine: String) {
    self = .demo
    for word in commandLine.split(separator: " ") where word.hasPrefix("test=") {
      let name = String(word.dropFirst(5))
      switch name {
      case "demo": self = .demo
      case "selftest": self = .selfTest
      case "kernel-page-fault": self = .kernelPageFault
      case "kernel-text-write": self = .kernelTextWrite
      case "general-protection": self = .generalProtection
      case "stack-overflow": self = .stackOverflow
      case "thread-stack-overflow": self = .threadStackOverflow
      case "heap-exhaustion": self = .heapExhaustion
      case "qmp-idle": self = .qmpIdle
      case "swap-disk": self = .swapDisk
      default: self = .unknown(name)
      }
    }
  }

  /// Runs the mode; never returns (QEMU exits or the CPU idles).
  func run() -> Never {
    switch self {
    case .demo:
      MemoryDemo.run()
      print("Shutting down cleanly (QEMU exit status 33)")
      exitQEMU(.success)
    case .selfTest:
      exitQEMU(SelfTests.run() ? .success : .testsFailed)
    case .kernelPageFault: FaultProvocation.unmappedWrite()
    case .kernelTextWrite: FaultProvocation.textWrite()
    case .generalProtection: FaultProvocation.nonCanonicalRead()
    case .stackOverflow: FaultProvocation.stackOverflow()
    case .threadStackOverflow: KernelStackOverflow.provoke()
    case .heapExhaustion: FaultProvocation.heapExhaustion()
    case .qmpIdle: QMPIdle.run()
    case .swapDisk: exitQEMU(SwapDiskSelfTest.run() ? .success : .testsFailed)
    case .unknown(let name):
      Panic.halt(
        "unknown mode test=" + name
          + " (known: demo selftest kernel-page-fault kernel-text-write general-protection stack-overflow thread-stack-overflow heap-exhaustion qmp-idle swap-disk)"
      )
    }
  }
}
