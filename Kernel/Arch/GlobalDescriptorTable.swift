import KernelSupport

/// The GDT and the 64-bit TSS (SDM Vol. 3A §3.4.5 and §8.7).
///
/// In long mode segments are flat; what matters is the code segment's L bit, the privilege
/// levels, and the TSS, whose interrupt stack table gives the double-fault and NMI handlers
/// stacks of their own (a kernel stack overflow cannot be reported on the overflowed stack).
enum GlobalDescriptorTable {
  /// Descriptor bits for the flat 64-bit segments: present, S, type, DPL, L, G (table 3-1).
  static let kernelCodeDescriptor: UInt64 = 0x00af_9a00_0000_ffff
  static let kernelDataDescriptor: UInt64 = 0x00cf_9200_0000_ffff
  static let userDataDescriptor: UInt64 = 0x00cf_f200_0000_ffff
  static let userCodeDescriptor: UInt64 = 0x00af_fa00_0000_ffff
  /// A 32-bit (D set, L clear) flat user code segment: compatibility mode.
  static let userCompatibilityCodeDescriptor: UInt64 = 0x00cf_fa00_0000_ffff
  /// System-descriptor type 9: an available 64-bit TSS; bit 47 is present.
  static let availableTaskStateType: UInt64 = 0x9 << 40
  static let present: UInt64 = 1 << 47

  /// Slots, as Linux's (`SegmentSelector`): null, (unused), kernel code, kernel data, 32-bit
  /// user code, user data, 64-bit user code, (unused), 2 for the TSS.
  static let entryCount = 10
  /// The size of the 64-bit TSS.
  static let taskStateSize = 104
  /// Byte offsets inside the TSS (figure 8-11).
  static let stackPointer0Offset = 4
  static let interruptStackTableOffset = 36
  static let ioMapBaseOffset = 102

  /// IST slots (1-based, as the IDT gate names them).
  static let doubleFaultStackIndex = 1
  static let nonMaskableInterruptStackIndex = 2

  /// Sets this CPU's TSS.RSP0 (its `Processor.taskState`): the stack the CPU switches to on an
  /// exception or interrupt from ring 3.
  static func setKernelStack(_ top: UInt64) {
    Processor.current.taskState.storeBytes(
      of: top, toByteOffset: stackPointer0Offset, as: UInt64.self)
  }

  /// Builds the GDT and TSS on the heap (they live forever), loads them, reloads the segment
  /// registers and the task register. Returns the TSS, which is this CPU's (its `Processor`
  /// keeps it, for `setKernelStack`).
  static func install(doubleFaultStack: UInt64, nmiStack: UInt64) -> UnsafeMutableRawPointer {
    let taskState = UnsafeMutableRawPointer.allocate(byteCount: taskStateSize, alignment: 16)
    taskState.initializeMemory(as: UInt8.self, repeating: 0, count: taskStateSize)
    setInterruptStack(taskState, doubleFaultStackIndex, doubleFaultStack)
    setInterruptStack(taskState, nonMaskableInterruptStackIndex, nmiStack)
    // No I/O permission bitmap: its base points past the end of the segment.
    taskState.storeBytes(of: UInt16(taskStateSize), toByteOffset: ioMapBaseOffset, as: UInt16.self)

    let table = UnsafeMutablePointer<UInt64>.allocate(capacity: entryCount)
    table.initialize(repeating: 0, count: entryCount)
    table[slot(SegmentSelector.kernelCode)] = kernelCodeDescriptor
    table[slot(SegmentSelector.kernelData)] = kernelDataDescriptor
    table[slot(SegmentSelector.userCompatibilityCode)] = userCompatibilityCodeDescriptor
    table[slot(SegmentSelector.userData)] = userDataDescriptor
    table[slot(SegmentSelector.userCode)] = userCodeDescriptor
    let (low, high) = taskStateDescriptor(base: UInt64(UInt(bitPattern: taskState)))
    table[slot(SegmentSelector.taskState)] = low
    table[slot(SegmentSelector.taskState) + 1] = high

    let limit = UInt16(entryCount * MemoryLayout<UInt64>.size - 1)
    global_descriptor_table_load(
      UInt64(UInt(bitPattern: table)), limit, SegmentSelector.kernelCode,
      SegmentSelector.kernelData)
    task_register_load(SegmentSelector.taskState)
    local_descriptor_table_load(SegmentSelector.noLocalDescriptorTable)
    return taskState
  }

  /// The GDT slot a selector names (its index: the bits above TI and RPL).
  private static func slot(_ selector: UInt16) -> Int { Int(selector >> 3) }

  private static func setInterruptStack(
    _ taskState: UnsafeMutableRawPointer, _ index: Int, _ top: UInt64
  ) {
    taskState.storeBytes(
      of: top, toByteOffset: interruptStackTableOffset + (index - 1) * 8, as: UInt64.self)
  }

  /// The two halves of a 16-byte TSS descriptor (figure 8-4).
  private static func taskStateDescriptor(base: UInt64) -> (UInt64, UInt64) {
    let limit = UInt64(taskStateSize - 1)
    var low = limit & 0xffff
    low |= (base & 0xff_ffff) << 16
    low |= availableTaskStateType | present
    low |= ((base >> 24) & 0xff) << 56
    return (low, base >> 32)
  }
}
