import KernelSupport

/// The kernel's Swift entry point, called by Kernel/Boot/long_mode_entry.S on the boot stack in
/// the higher half, with the Multiboot magic and the physical address of the boot information.
///
/// Order matters: console first (so everything after can report), the heap's static arena
/// (Swift allocates from the first string on), traps (so faults explain themselves), then the
/// physical allocator, the kernel's own page tables, protection bits, and finally the mode the
/// command line selects.
@_cdecl("kernel_main")
func kernelMain(_ magic: UInt32, _ informationAddress: UInt32) -> Never {
  Console.initialize()
  KernelHeap.initialize()
  Console.write("\nSwift kernel: in long mode, running at its linked address\n")
  guard magic == MultibootInformation.bootloaderMagic else {
    Panic.halt("not started by a Multiboot loader (EAX " + hex(UInt64(magic)) + ")")
  }
  let taskState = installTraps()
  let boot = MultibootInformation(physicalAddress: UInt64(informationAddress))
  let mode = KernelMode(commandLine: boot.commandLine)
  let features = CPUFeatures.detect()
  let physical = PhysicalMemory.initialize(boot)
  let map = KernelAddressSpace.build(
    memoryEnd: physical.frameLimit << PageSize.size4KiB.shift, features: features,
    frames: physical.context.frames)
  let kernelSpace = ProcessAddressSpace(
    pageMap: map, tlb: HardwareTLB(), physical: physical.context)
  let devices = DeviceRegistry(consoleTerminal: ConsoleTerminal.requested(by: boot.commandLine))
  Machine.booted = Machine(physical: physical.context, kernelSpace: kernelSpace, devices: devices)
  Processor.bootProcessor = Processor(running: kernelSpace, taskState: taskState)
  Processor.current.activate(kernelSpace)
  let protection = enableMemoryProtection(features)
  KernelHeap.enableGrowth(at: MemoryManager.heapBase)
  devices.discoverPCI()  // and the swap disk, when one carries a swap header
  // Modules are programs to run (Kernel/PROCESSES.md) unless a `test=` mode was asked for.
  if boot.modules.isEmpty
    || boot.commandLine.split(separator: " ").contains(where: { $0.hasPrefix("test=") })
  {
    BootSummary.print(boot: boot, physical: physical, protection: protection)
  } else {
    BootSummary.printBrief(physical: physical, protection: protection)
    ProgramMode.run(boot.modules)
  }
  mode.run()
}

/// GDT with TSS and IST stacks, IDT for the 32 exceptions, legacy PIC masked; returns the
/// boot CPU's TSS (its `Processor` keeps it).
private func installTraps() -> UnsafeMutableRawPointer {
  let layout = kernel_image_layout_get()
  LegacyInterruptController.maskAllLines()
  let taskState = GlobalDescriptorTable.install(
    doubleFaultStack: layout.double_fault_stack_top, nmiStack: layout.nmi_stack_top)
  InterruptDescriptorTable.install()
  return taskState
}
