/// The CPU exception vectors (SDM Vol. 3A §6.3.1, table 6-1).
enum ExceptionVector: Int {
  case divideError = 0
  case debug = 1
  case nonMaskableInterrupt = 2
  case breakpoint = 3
  case overflow = 4
  case boundRangeExceeded = 5
  case invalidOpcode = 6
  case deviceNotAvailable = 7
  case doubleFault = 8
  case coprocessorSegmentOverrun = 9
  case invalidTaskState = 10
  case segmentNotPresent = 11
  case stackSegmentFault = 12
  case generalProtection = 13
  case pageFault = 14
  case floatingPointError = 16
  case alignmentCheck = 17
  case machineCheck = 18
  case simdFloatingPoint = 19
  case virtualization = 20
  case controlProtection = 21
  case hypervisorInjection = 28
  case vmmCommunication = 29
  case security = 30

  /// The manual's mnemonic and name, e.g. "#GP general protection".
  var name: StaticString {
    switch self {
    case .divideError: return "#DE divide error"
    case .debug: return "#DB debug"
    case .nonMaskableInterrupt: return "NMI non-maskable interrupt"
    case .breakpoint: return "#BP breakpoint"
    case .overflow: return "#OF overflow"
    case .boundRangeExceeded: return "#BR bound range exceeded"
    case .invalidOpcode: return "#UD invalid opcode (also Swift's trap for a failed check)"
    case .deviceNotAvailable: return "#NM device not available"
    case .doubleFault: return "#DF double fault"
    case .coprocessorSegmentOverrun: return "coprocessor segment overrun"
    case .invalidTaskState: return "#TS invalid TSS"
    case .segmentNotPresent: return "#NP segment not present"
    case .stackSegmentFault: return "#SS stack-segment fault"
    case .generalProtection: return "#GP general protection"
    case .pageFault: return "#PF page fault"
    case .floatingPointError: return "#MF x87 floating-point error"
    case .alignmentCheck: return "#AC alignment check"
    case .machineCheck: return "#MC machine check"
    case .simdFloatingPoint: return "#XM SIMD floating-point"
    case .virtualization: return "#VE virtualization"
    case .controlProtection: return "#CP control protection"
    case .hypervisorInjection: return "#HV hypervisor injection"
    case .vmmCommunication: return "#VC VMM communication"
    case .security: return "#SX security"
    }
  }

  /// The signal Linux sends a process for this exception raised in ring 3
  /// (arch/x86/kernel/traps.c): SIGFPE for arithmetic (#DE, the x87's #MF, SSE's #XM), SIGTRAP
  /// for #DB and #BP, SIGILL for #UD, SIGBUS for segment and alignment faults (#NP, #SS — a
  /// stack access at a non-canonical address —, #AC), SIGSEGV for the rest (#GP, #OF, …).
  var linuxSignal: UInt64 {
    switch self {
    case .divideError, .floatingPointError, .simdFloatingPoint:
      return ProcessEnd.signalFloatingPoint
    case .invalidOpcode: return ProcessEnd.signalIllegalInstruction
    case .breakpoint, .debug: return ProcessEnd.signalTrap
    case .segmentNotPresent, .stackSegmentFault, .alignmentCheck: return ProcessEnd.signalBus
    default: return ProcessEnd.signalSegmentationViolation
    }
  }
}
