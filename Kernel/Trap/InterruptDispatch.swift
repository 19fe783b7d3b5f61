import KernelSupport

/// The Swift side of the interrupt vectors (32–255), reached from `kernel_trap_dispatch`.
///
/// The local APIC delivers its timer, rarely its spurious vector, and the swap disk's MSI-X
/// message (Kernel/Devices/VirtioBlockDevice.swift); the I/O APIC the serial console's input
/// when the console is a terminal (`ConsoleTerminal`); the devices' vectors go to the device
/// registry (`DeviceRegistry.interrupt`), which finds the device. Any other vector means a
/// source the kernel never programmed, a kernel bug: it panics with the interrupted state.
enum InterruptDispatch {
  static func handle(_ frame: UnsafeMutablePointer<TrapFrame>) {
    switch frame.pointee.vector {
    case InterruptVector.localTimer:
      EventTimer.local!.interrupt(fromUserMode: frame.pointee.cs & 3 == 3)
    case InterruptVector.spurious:
      // No EOI: the APIC set no in-service bit for it (SDM Vol. 3A, "Spurious Interrupt").
      EventTimer.local?.statistics.spurious += 1
    default:
      // A device's vector (the registry finds the device), else a source never programmed.
      if Machine.booted?.devices.interrupt(vector: frame.pointee.vector) == true { return }
      Panic.report("unexpected interrupt vector " + String(frame.pointee.vector)) {
        Panic.printState(frame)
      }
    }
  }
}
