import KernelSupport

/// The CPU features the memory manager cares about, read once with CPUID
/// (SDM Vol. 2A, CPUID, tables 3-8 and 3-9).
struct CPUFeatures {
  /// CPUID.01H:EDX.PGE[bit 13]: global pages (CR4.PGE).
  var globalPages = false
  /// CPUID.07H.0:EBX.SMEP[bit 7].
  var supervisorModeExecutionPrevention = false
  /// CPUID.07H.0:EBX.SMAP[bit 20].
  var supervisorModeAccessPrevention = false
  /// CPUID.80000001H:EDX.NX[bit 20]: execute-disable (EFER.NXE).
  var noExecute = false
  /// CPUID.80000001H:EDX.Page1GB[bit 26]: 1 GiB pages.
  var gibibytePages = false

  /// Feature bits, by register and leaf.
  private static let edx1GlobalPages: UInt32 = 1 << 13
  private static let ebx7SupervisorModeExecutionPrevention: UInt32 = 1 << 7
  private static let ebx7SupervisorModeAccessPrevention: UInt32 = 1 << 20
  private static let edx80000001NoExecute: UInt32 = 1 << 20
  private static let edx80000001GibibytePages: UInt32 = 1 << 26

  private static let basicLeaf: UInt32 = 0x1
  private static let structuredExtendedLeaf: UInt32 = 0x7
  private static let extendedMaximumLeaf: UInt32 = 0x8000_0000
  private static let extendedFeatureLeaf: UInt32 = 0x8000_0001

  /// Reads the features of the running CPU.
  static func detect() -> CPUFeatures {
    var features = CPUFeatures()
    let maximumBasic = cpu_identify(0, 0).eax
    features.globalPages = cpu_identify(basicLeaf, 0).edx & edx1GlobalPages != 0
    if maximumBasic >= structuredExtendedLeaf {
      let structured = cpu_identify(structuredExtendedLeaf, 0).ebx
      features.supervisorModeExecutionPrevention =
        structured & ebx7SupervisorModeExecutionPrevention != 0
      features.supervisorModeAccessPrevention = structured & ebx7SupervisorModeAccessPrevention != 0
    }
    if cpu_identify(extendedMaximumLeaf, 0).eax >= extendedFeatureLeaf {
      let extended = cpu_identify(extendedFeatureLeaf, 0).edx
      features.noExecute = extended & edx80000001NoExecute != 0
      features.gibibytePages = extended & edx80000001GibibytePages != 0
    }
    return features
  }
}
