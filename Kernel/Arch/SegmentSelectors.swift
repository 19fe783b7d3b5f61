/// The kernel's GDT layout and the selectors that index it (SDM Vol. 3A §3.4.2).
///
/// The order kernel code, kernel data, user data, user code is what SYSCALL/SYSRET expect
/// (SDM Vol. 3A §5.8.8), so user processes can use it unchanged.
enum SegmentSelector {
  static let kernelCode: UInt16 = 0x08
  static let kernelData: UInt16 = 0x10
  /// Requested privilege level 3 in the selector's low bits.
  static let userData: UInt16 = 0x18 | 3
  static let userCode: UInt16 = 0x20 | 3
  /// The TSS descriptor (16 bytes: two GDT slots).
  static let taskState: UInt16 = 0x28
}
