import KernelSupport

/// Leaving QEMU through its `isa-debug-exit` device (`-device isa-debug-exit,iobase=0xf4,
/// iosize=0x04`): writing v to the port makes QEMU exit with status 2v+1.
///
/// The contract (README "Exit status"): 33 = clean shutdown, 35 = kernel panic, 37 = self-tests
/// ran but some failed. 0 from QEMU means a triple fault with `-no-reboot` (never expected), and
/// 124/137 mean the runner's timeout killed QEMU.
enum ExitStatus: UInt32 {
  /// Everything the kernel was asked to do finished. QEMU exits with 33.
  case success = 0x10
  /// A kernel panic. QEMU exits with 35.
  case panic = 0x11
  /// Self-tests ran to the end and at least one failed. QEMU exits with 37.
  case testsFailed = 0x12
}

/// The port `isa-debug-exit` listens on.
let debugExitPort: UInt16 = 0xf4

/// Ends the QEMU run with `status`; halts forever when the device is absent.
func exitQEMU(_ status: ExitStatus) -> Never {
  port_write_dword(debugExitPort, status.rawValue)
  haltForever()
}

/// Stops this CPU for good: interrupts off, then HLT in a loop (an NMI could wake it).
func haltForever() -> Never {
  interrupts_disable()
  while true { processor_halt() }
}
