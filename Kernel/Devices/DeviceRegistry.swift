/// The devices the kernel found at boot, owned by the `Machine`: the PCI functions of bus 0,
/// the swap disk among them (when one carries a swap header), and the console terminal (when
/// the command line asked for one). Device interrupts reach their device through it
/// (`interrupt(vector:)`), so no driver keeps a global of its own.
///
/// LOCK: the registry's lock once a second CPU exists, taken only to add a device (today: once,
/// at boot, before interrupts are enabled); lookups and interrupt dispatch read fields that no
/// longer change, and each device names its own lock (`ConsoleTerminal`, `VirtioBlockDevice`).
final class DeviceRegistry {
  /// The console terminal when the command line asked for one (`ConsoleTerminal.commandLineWord`).
  let consoleTerminal: ConsoleTerminal?
  /// Every function on PCI bus 0, in address order (`discoverPCI`).
  private(set) var pciFunctions: [PCIFunction] = []
  /// The swap area on a virtio-blk disk, nil without a disk or a valid header.
  private(set) var swapDisk: SwapDisk? = nil

  init(consoleTerminal: ConsoleTerminal?) {
    self.consoleTerminal = consoleTerminal
  }

  /// Enumerates bus 0 and starts the swap disk if there is one (polled: the local APIC is not
  /// enabled yet). Once, at boot, after memory management is up (the disk's queue takes frames).
  func discoverPCI() {
    pciFunctions = PCIBus.enumerateRootBus()
    swapDisk = SwapDisk.discover(among: pciFunctions)
  }

  /// A device's interrupt: true when `vector` is one of the devices' (and was handled, EOI
  /// included), false for a vector no device here raises.
  func interrupt(vector: UInt64) -> Bool {
    switch vector {
    case InterruptVector.serialConsole:
      consoleTerminal?.drainReceiver()
      EventTimer.local?.apic.signalEndOfInterrupt()
    case InterruptVector.blockDevice:
      if let swapDisk {
        swapDisk.device.interrupt()
      } else {
        // The boot's header read of a disk then refused: its message was held until the APIC
        // was enabled. Nothing waits for it.
        EventTimer.local?.apic.signalEndOfInterrupt()
      }
    default: return false
    }
    return true
  }
}
