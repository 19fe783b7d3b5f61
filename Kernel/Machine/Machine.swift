/// The machine the kernel booted on: what exists once per machine and is found or built at
/// boot — the physical-memory context, the kernel's own address space, the devices
/// (`DeviceRegistry`). It is the one owner of that state: code reaches it through
/// `Machine.current` instead of a global per piece (FreeBSD hangs the same things off its
/// boot-time `vm_*`/`device_t` roots; Linux off `contig_page_data`, `init_mm` and the driver
/// model's bus lists).
///
/// Per-CPU state is not here: it is each CPU's `Processor` (`Processor.current`). The heap's
/// own bookkeeping (`KernelHeap`) is not here either: it must work before any object exists.
///
/// LOCK: none for the references (`random` names its own) — built once by `kernel_main` before
/// the first interrupt is enabled and never replaced; what they point to names its own locks
/// (`PhysicalMemoryContext`, `DeviceRegistry`, `AddressSpace`).
final class Machine {
  /// Frames, commit, zero page and frame table (`PhysicalMemory.initialize` builds it).
  let physical: KernelPhysicalMemory
  /// The kernel's own address space: the kernel's page map, no regions (so every kernel fault
  /// is a panic). A CPU runs it when no process does.
  let kernelSpace: ProcessAddressSpace
  /// The devices found at boot, and the interrupt vectors they raise.
  let devices: DeviceRegistry
  /// The random words of `AT_RANDOM` and `getrandom` (its own LOCK line).
  var random = RandomSource()

  init(physical: KernelPhysicalMemory, kernelSpace: ProcessAddressSpace, devices: DeviceRegistry) {
    self.physical = physical
    self.kernelSpace = kernelSpace
    self.devices = devices
  }

  /// The machine once `kernel_main` has built it (nil before: memory management is not up,
  /// and a fault then is a panic). The kernel's only root of machine-wide state.
  nonisolated(unsafe) static var booted: Machine? = nil

  /// The machine, for code that only runs after boot built it (system calls, interrupts).
  @inline(__always)
  static var current: Machine { booted! }
}
