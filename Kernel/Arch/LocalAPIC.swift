import KernelSupport

/// The running CPU's local APIC in xAPIC mode: its registers are one 4 KiB page of
/// memory-mapped I/O at the base IA32_APIC_BASE names (SDM Vol. 3A, chapter "Advanced
/// Programmable Interrupt Controller (APIC)": "Local APIC Register Address Map", "APIC Timer",
/// "Spurious Interrupt", "End-of-Interrupt").
///
/// Why xAPIC and not x2APIC (whose registers are MSRs 0x800 and up: no mapping, no uncached
/// page): QEMU 7.2's TCG does not offer x2APIC — CPUID.01H:ECX.x2APIC[bit 21] reads 0 under
/// `-cpu max,-la57` (the timer's boot line reports the bit) — so an x2APIC path could run in no
/// test here. xAPIC mode is what every x86-64 CPU with an APIC starts in. A CPU the firmware
/// handed over in x2APIC mode (EXTD set: the MMIO page then answers nothing) is refused, and the
/// kernel runs without a timer.
///
/// Only the timer is used: the LVT timer entry carries `InterruptVector.localTimer`, one-shot
/// mode, counting the bus clock divided by 16. LINT0 — where the 8259 PIC's output arrives in
/// virtual-wire mode — is masked, so the legacy PIC (masked itself) can never inject a vector.
/// LINT1 (NMI) is left as the firmware set it.
struct LocalAPIC {
  /// IA32_APIC_BASE (MSR 0x1B): the base address [bits 12 up to MAXPHYADDR-1], the global
  /// enable EN [bit 11], x2APIC mode EXTD [bit 10], BSP [bit 8].
  static let baseAddressRegister: UInt32 = 0x1b
  static let globalEnable: UInt64 = 1 << 11
  static let x2APICMode: UInt64 = 1 << 10
  /// Bits 12–51: the widest MAXPHYADDR (52) the architecture allows; bits above the CPU's
  /// MAXPHYADDR are reserved and read 0.
  static let baseAddressMask: UInt64 = 0x000f_ffff_ffff_f000

  /// CPUID.01H:EDX.APIC[bit 9] and CPUID.01H:ECX.x2APIC[bit 21].
  static let featureLeaf: UInt32 = 0x1
  static let edxLocalAPIC: UInt32 = 1 << 9
  static let ecxX2APIC: UInt32 = 1 << 21

  /// Register offsets from the base ("Local APIC Register Address Map"). Every register is
  /// 32 bits wide at a 16-byte-aligned offset and must be accessed as one aligned dword.
  enum Register: UInt64 {
    /// Local APIC ID register.
    case identifier = 0x20
    /// Local APIC Version register: version [7:0], max LVT entry [23:16].
    case version = 0x30
    /// Task Priority Register (TPR): 0 lets every vector through.
    case taskPriority = 0x80
    /// EOI register: writing 0 ends the in-service interrupt of highest priority.
    case endOfInterrupt = 0xb0
    /// Spurious Interrupt Vector Register (SVR).
    case spuriousInterruptVector = 0xf0
    /// LVT Timer register.
    case timerVectorEntry = 0x320
    /// LVT LINT0 register.
    case localInterrupt0Entry = 0x350
    /// Initial Count register (timer).
    case initialCount = 0x380
    /// Current Count register (timer), read-only.
    case currentCount = 0x390
    /// Divide Configuration Register (timer).
    case divideConfiguration = 0x3e0
  }

  /// SVR.APIC Software Enable/Disable [bit 8]: set, the APIC accepts and delivers interrupts.
  static let softwareEnable: UInt32 = 1 << 8
  /// An LVT entry's vector [7:0] and mask [bit 16] (set: not delivered; the timer still counts).
  static let entryVectorMask: UInt32 = 0xff
  static let entryMasked: UInt32 = 1 << 16
  /// LVT Timer mode [bits 18:17]: 00 one-shot, 01 periodic, 10 TSC-deadline.
  static let timerModeOneShot: UInt32 = 0b00 << 17
  /// Divide Configuration [bits 3, 1, 0] = 0b0_11: divide by 16 (bit 2 is reserved, 0).
  static let divideBy16: UInt32 = 0b0011
  static let divisor: UInt64 = 16
  /// The largest initial count: the timer is 32 bits wide.
  static let maximumCount = UInt32.max

  /// The virtual address of the register page (uncached, `DeviceMemory`).
  let registerPage: UInt64
  /// The physical base, for the boot line.
  let physicalBase: UInt64

  /// The running CPU's local APIC, hardware-enabled and mapped; nil when the CPU has none or
  /// it is in x2APIC mode.
  static func locate() -> LocalAPIC? {
    guard cpu_identify(featureLeaf, 0).edx & edxLocalAPIC != 0 else { return nil }
    var base = model_specific_register_read(baseAddressRegister)
    guard base & x2APICMode == 0 else { return nil }
    if base & globalEnable == 0 {
      base |= globalEnable
      model_specific_register_write(baseAddressRegister, base)
    }
    let physical = base & baseAddressMask
    return LocalAPIC(registerPage: DeviceMemory.map(physical: physical), physicalBase: physical)
  }

  /// Whether the CPU could run its APIC in x2APIC mode (reported, not used).
  static var offersX2APIC: Bool { cpu_identify(featureLeaf, 0).ecx & ecxX2APIC != 0 }

  func read(_ register: Register) -> UInt32 {
    device_register_read(registerPage + register.rawValue)
  }

  func write(_ register: Register, _ value: UInt32) {
    device_register_write(registerPage + register.rawValue, value)
  }

  /// Software-enables the APIC with `InterruptVector.spurious` as its spurious vector, lets
  /// every priority through, masks LINT0 and stops the timer (masked, count 0).
  func enable() {
    write(.taskPriority, 0)
    write(
      .spuriousInterruptVector, Self.softwareEnable | UInt32(InterruptVector.spurious))
    write(.localInterrupt0Entry, read(.localInterrupt0Entry) | Self.entryMasked)
    write(.divideConfiguration, Self.divideBy16)
    write(
      .timerVectorEntry,
      Self.entryMasked | Self.timerModeOneShot | UInt32(InterruptVector.localTimer))
    write(.initialCount, 0)
  }

  /// Starts the timer counting down from its maximum with its interrupt masked: calibration
  /// reads how far it got (`countsElapsed`).
  func startCountingMasked() {
    write(
      .timerVectorEntry,
      Self.entryMasked | Self.timerModeOneShot | UInt32(InterruptVector.localTimer))
    write(.initialCount, Self.maximumCount)
  }

  /// Counts since `startCountingMasked`, then stops the timer.
  func countsElapsedAndStop() -> UInt64 {
    let elapsed = UInt64(Self.maximumCount - read(.currentCount))
    write(.initialCount, 0)
    return elapsed
  }

  /// One interrupt on `InterruptVector.localTimer` after `counts` (≥ 1) timer counts. Writing
  /// the initial count restarts the countdown: an earlier arming is replaced.
  func interrupt(afterCounts counts: UInt32) {
    write(.timerVectorEntry, Self.timerModeOneShot | UInt32(InterruptVector.localTimer))
    write(.initialCount, max(counts, 1))
  }

  /// Ends the interrupt being serviced, so the APIC can deliver the next one of its priority.
  func signalEndOfInterrupt() {
    write(.endOfInterrupt, 0)
  }
}
