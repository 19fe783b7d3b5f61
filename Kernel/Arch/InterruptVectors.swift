/// The IDT vectors interrupts use (the 32 below are the CPU's exceptions, `ExceptionVector`).
///
/// The numbers are Linux's (arch/x86/include/asm/irq_vectors.h), so a trace reads the same on
/// both kernels. A vector's upper four bits are its priority class (SDM Vol. 3A §11.8.3.1): the
/// local timer sits high, above any device interrupt a future I/O APIC would route below it.
enum InterruptVector {
  /// `LOCAL_TIMER_VECTOR`: the local APIC timer (its LVT timer entry).
  static let localTimer: UInt64 = 0xec
  /// The virtio-blk disk's request-completion interrupt (its MSI-X message, `VirtioBlockDevice`).
  /// Linux allocates device vectors dynamically from `FIRST_EXTERNAL_VECTOR` (0x20) up, the
  /// ISA ones at 0x30–0x3f; with one device this kernel takes the first vector of the class
  /// above them (priority class 4, below the timer's 0xe).
  static let blockDevice: UInt64 = 0x41
  /// `SPURIOUS_APIC_VECTOR`: what the local APIC delivers when an interrupt it signalled was
  /// masked by a raised task priority before the CPU took it (SDM Vol. 3A §11.9). Its low four
  /// bits are all ones because P6-family and Pentium APICs hardwire them so.
  static let spurious: UInt64 = 0xff
}
