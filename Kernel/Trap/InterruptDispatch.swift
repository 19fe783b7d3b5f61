import KernelSupport

/// The Swift side of the interrupt vectors (32–255), reached from `kernel_trap_dispatch`.
///
/// Only the local APIC delivers interrupts: its timer, rarely its spurious vector, and the swap
/// disk's MSI-X message (Kernel/Devices/VirtioBlockDevice.swift). Any
/// other vector means a source the kernel never programmed, a kernel bug: it panics with the
/// interrupted state.
enum InterruptDispatch {
  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) {
    switch frame.pointee.vector {
    case InterruptVector.localTimer:
      EventTimer.local!.interrupt(fromUserMode: frame.pointee.cs & 3 == 3)
    case InterruptVector.blockDevice:
      if let disk = MemoryManager.swapDisk {
        disk.device.interrupt()
      } else {
        // The boot's header read of a disk then refused: its message was held until the APIC
        // was enabled. Nothing waits for it.
        EventTimer.local?.apic.signalEndOfInterrupt()
      }
    case InterruptVector.spurious:
      // No EOI: the APIC set no in-service bit for it (SDM Vol. 3A, "Spurious Interrupt").
      EventTimer.local?.statistics.spurious += 1
    default:
      Panic.report("unexpected interrupt vector " + String(frame.pointee.vector)) {
        Panic.printState(frame)
      }
    }
  }
}
