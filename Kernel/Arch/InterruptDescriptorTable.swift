import KernelSupport

/// The IDT: a 64-bit interrupt gate for each of the 256 vectors — the 32 CPU exceptions and the
/// interrupts above them (`InterruptVector`) — pointing at the stubs in Kernel/Boot/trap_entry.S
/// (SDM Vol. 3A §6.14.1, figure 6-8).
///
/// Interrupt gates (not trap gates) clear IF on entry. The double fault and the NMI switch to
/// their IST stacks; everything else runs on the interrupted stack: TSS.RSP0 (the process
/// kernel stack) when it came from ring 3, the kernel's own when it came from its `sti; hlt`.
///
/// A gate's DPL says which rings may reach it with a software interrupt (`int n`, `int3`,
/// `into`; §6.12.1.1): ring 3 gets #GP for a gate of DPL 0. Only #BP and #OF are user-callable,
/// as on Linux, so that `int3` is a breakpoint (SIGTRAP) and `int $4` an overflow trap; every
/// other `int n` from ring 3 stays a #GP (SIGSEGV). Exceptions the CPU raises itself ignore
/// the DPL.
enum InterruptDescriptorTable {
  /// The exceptions the CPU defines (vectors 0–31); interrupts use the vectors above.
  static let exceptionCount = 32
  /// Every vector an IDT can hold.
  static let vectorCount = 256
  /// Type 0xE (64-bit interrupt gate) with the present bit, DPL 0.
  static let interruptGatePresent: UInt64 = 0x8e
  /// The gate's DPL field (bits 5–6 of its type byte) set to 3: `int n` allowed from ring 3.
  static let userCallable: UInt64 = 3 << 5
  static let gateSize = 16

  /// Builds the table on the heap and loads it with LIDT.
  static func install() {
    let table = UnsafeMutablePointer<UInt64>.allocate(capacity: vectorCount * 2)
    for vector in 0..<vectorCount {
      let (low, high) = gate(
        handler: trap_stub_address(UInt32(vector)), stackIndex: interruptStack(for: vector),
        userCallable: isUserCallable(vector))
      table[vector * 2] = low
      table[vector * 2 + 1] = high
    }
    interrupt_descriptor_table_load(
      UInt64(UInt(bitPattern: table)), UInt16(vectorCount * gateSize - 1))
  }

  /// Which IST stack a vector uses (0 = none).
  private static func interruptStack(for vector: Int) -> Int {
    switch ExceptionVector(rawValue: vector) {
    case .doubleFault: return GlobalDescriptorTable.doubleFaultStackIndex
    case .nonMaskableInterrupt: return GlobalDescriptorTable.nonMaskableInterruptStackIndex
    default: return 0
    }
  }

  /// Whether ring 3 may raise `vector` with a software interrupt: #BP (`int3`) and #OF.
  private static func isUserCallable(_ vector: Int) -> Bool {
    switch ExceptionVector(rawValue: vector) {
    case .breakpoint, .overflow: return true
    default: return false
    }
  }

  /// The two halves of an interrupt gate.
  private static func gate(handler: UInt64, stackIndex: Int, userCallable: Bool) -> (
    UInt64, UInt64
  ) {
    var low = handler & 0xffff
    low |= UInt64(SegmentSelector.kernelCode) << 16
    low |= UInt64(stackIndex) << 32
    low |= (interruptGatePresent | (userCallable ? Self.userCallable : 0)) << 40
    low |= ((handler >> 16) & 0xffff) << 48
    return (low, handler >> 32)
  }
}
