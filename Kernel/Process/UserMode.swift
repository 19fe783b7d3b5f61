import KernelSupport

/// The one-time CPU set-up ring-3 processes need: SYSCALL/SYSRET (SDM Vol. 3A §5.8.8), SSE
/// for user code (§13.1.3), and null data segment selectors. TSS.RSP0 is the running
/// thread's kernel stack, set at every switch (`Scheduler.switchTo`).
enum UserMode {
  /// IA32_STAR: the segment bases of SYSCALL ([47:32]) and SYSRET ([63:48]).
  static let segmentTargetRegister: UInt32 = 0xc000_0081
  /// IA32_LSTAR: the 64-bit SYSCALL entry point.
  static let longModeTargetRegister: UInt32 = 0xc000_0082
  /// IA32_CSTAR: the SYSCALL entry point from compatibility mode (a program can get there
  /// through its 32-bit code segment, `SegmentSelector.userCompatibilityCode`).
  static let compatibilityModeTargetRegister: UInt32 = 0xc000_0083
  /// IA32_FMASK: RFLAGS bits SYSCALL clears.
  static let flagMaskRegister: UInt32 = 0xc000_0084
  /// IA32_FS_BASE: the FS segment base (`arch_prctl(ARCH_SET_FS)`).
  static let fsBaseRegister: UInt32 = 0xc000_0100
  /// IA32_EFER.SCE[bit 0]: SYSCALL/SYSRET enabled.
  static let systemCallEnable: UInt64 = 1 << 0

  /// RFLAGS bits: TF[8], IF[9], DF[10], NT[14], AC[18]. SYSCALL clears them all, so the kernel
  /// runs with interrupts off, string operations forward and SMAP's guard up.
  static let trapFlag: UInt64 = 1 << 8
  static let interruptFlag: UInt64 = 1 << 9
  static let directionFlag: UInt64 = 1 << 10
  static let nestedTaskFlag: UInt64 = 1 << 14
  static let alignmentCheckFlag: UInt64 = 1 << 18

  /// CR0.MP[bit 1], CR0.EM[bit 2], CR0.TS[bit 3]; CR4.OSFXSR[bit 9], CR4.OSXMMEXCPT[bit 10]:
  /// SSE usable by user code (every x86-64 program assumes it). OSXMMEXCPT makes an unmasked
  /// SIMD floating-point exception a #XM (vector 19) instead of a #UD.
  static let monitorCoprocessor: UInt64 = 1 << 1
  static let emulation: UInt64 = 1 << 2
  static let taskSwitched: UInt64 = 1 << 3
  /// CR0.NE[bit 5]: an unmasked x87 exception is reported as #MF (vector 16), Linux's SIGFPE.
  /// Clear, the CPU signals it on the legacy FERR# line (IRQ 13), which this kernel never
  /// takes: the exception would be lost and the program would go on (SDM Vol. 3A §2.5, §8.7).
  static let numericError: UInt64 = 1 << 5
  static let osSupportsFXSave: UInt64 = 1 << 9
  static let osSupportsSIMDExceptions: UInt64 = 1 << 10

  nonisolated(unsafe) static var installed = false

  /// Programs the MSRs, enables SSE for ring 3 and sets TSS.RSP0. Idempotent.
  static func install() {
    guard !installed else { return }
    installed = true
    let efer = model_specific_register_read(ControlBits.extendedFeatureEnableRegister)
    model_specific_register_write(
      ControlBits.extendedFeatureEnableRegister, efer | systemCallEnable)
    // SYSRET loads SS = base + 8 and CS = base + 16 (RPL 3): base = the 32-bit user code
    // selector, so SS = user data (0x2b) and CS = user code (0x33), the order SegmentSelector keeps.
    let sysretBase = UInt64(SegmentSelector.userCompatibilityCode)
    model_specific_register_write(
      segmentTargetRegister, sysretBase << 48 | UInt64(SegmentSelector.kernelCode) << 32)
    model_specific_register_write(longModeTargetRegister, syscall_entry_address())
    model_specific_register_write(
      compatibilityModeTargetRegister, compatibility_syscall_refuse_address())
    model_specific_register_write(
      flagMaskRegister,
      trapFlag | interruptFlag | directionFlag | nestedTaskFlag | alignmentCheckFlag)
    var cr0 = control_register_0_read()
    cr0 |= monitorCoprocessor | numericError
    cr0 &= ~(emulation | taskSwitched)
    control_register_0_write(cr0)
    control_register_4_write(
      control_register_4_read() | osSupportsFXSave | osSupportsSIMDExceptions)
    user_segment_selectors_reset()
  }

  /// Sets the FS base the running process sees.
  static func setFSBase(_ base: UInt64) {
    model_specific_register_write(fsBaseRegister, base)
  }
}
