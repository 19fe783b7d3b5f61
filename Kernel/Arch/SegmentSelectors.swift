/// The kernel's GDT layout and the selectors that index it (SDM Vol. 3A §3.4.2): Linux's
/// x86-64 slots (arch/x86/include/asm/segment.h), so a process sees Linux's selectors
/// (`UserSegments`).
///
/// SYSCALL loads CS = STAR[47:32] and SS = that + 8 (kernel code, kernel data); 64-bit SYSRET
/// loads SS = STAR[63:48] + 8 and CS = STAR[63:48] + 16 (RPL 3) from the 32-bit user code
/// selector: user data, then 64-bit user code (SDM Vol. 3A §5.8.8). Slot 1 (Linux's
/// `__KERNEL32_CS`) and slot 7 stay null.
enum SegmentSelector {
  static let kernelCode: UInt16 = 0x10
  static let kernelData: UInt16 = 0x18
  /// `__USER32_CS`: compatibility-mode code, reachable only through `rt_sigreturn` or a far
  /// return/IRET of the program's own.
  static let userCompatibilityCode: UInt16 = UserSegments.USER32_CS
  static let userData: UInt16 = UserSegments.USER_DS
  static let userCode: UInt16 = UserSegments.USER_CS
  /// The null selector in LDTR: no process has an LDT (`modify_ldt` is not implemented), so a
  /// TI=1 selector is always refused (#GP with the selector as error code).
  static let noLocalDescriptorTable: UInt16 = 0
  /// The TSS descriptor (16 bytes: two GDT slots, Linux's `GDT_ENTRY_TSS` 8).
  static let taskState: UInt16 = 0x40
}
