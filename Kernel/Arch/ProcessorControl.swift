import KernelSupport

/// The control-register and EFER bits the kernel sets (SDM Vol. 3A §2.5 and §2.2.1).
enum ControlBits {
  /// CR0.WP[bit 16]: supervisor writes honour read-only pages.
  static let writeProtect: UInt64 = 1 << 16
  /// CR4.PGE[bit 7]: global pages survive CR3 loads.
  static let pageGlobalEnable: UInt64 = 1 << 7
  /// CR4.SMEP[bit 20]: the kernel cannot execute user pages.
  static let supervisorModeExecutionPrevention: UInt64 = 1 << 20
  /// CR4.SMAP[bit 21]: the kernel cannot touch user pages unless EFLAGS.AC is set.
  static let supervisorModeAccessPrevention: UInt64 = 1 << 21
  /// IA32_EFER MSR number.
  static let extendedFeatureEnableRegister: UInt32 = 0xc000_0080
  /// IA32_EFER.NXE[bit 11]: the XD bit (63) of page-table entries is honoured.
  static let noExecuteEnable: UInt64 = 1 << 11
}

/// Which memory-protection features are switched on, for the boot report.
struct ProtectionState {
  var noExecute = false
  var writeProtect = false
  var supervisorModeExecutionPrevention = false
  var supervisorModeAccessPrevention = false
  var globalPages = false

  /// One line naming each feature and whether it is on.
  var description: String {
    func flag(_ name: String, _ on: Bool) -> String { name + (on ? "=on" : "=off(not supported)") }
    return flag("NXE", noExecute) + " " + flag("WP", writeProtect) + " "
      + flag("SMEP", supervisorModeExecutionPrevention) + " "
      + flag("SMAP", supervisorModeAccessPrevention) + " " + flag("PGE", globalPages)
  }
}

/// Turns on every protection `features` allows: EFER.NXE, CR0.WP, CR4.PGE, CR4.SMEP, CR4.SMAP.
///
/// Runs once the kernel's own tables are loaded: SMEP and SMAP would fault on boot tables that
/// have no user pages anyway, but the global bit only pays off with final tables.
func enableMemoryProtection(_ features: CPUFeatures) -> ProtectionState {
  var state = ProtectionState()
  if features.noExecute {
    let efer = model_specific_register_read(ControlBits.extendedFeatureEnableRegister)
    model_specific_register_write(
      ControlBits.extendedFeatureEnableRegister, efer | ControlBits.noExecuteEnable)
    state.noExecute = true
  }
  control_register_0_write(control_register_0_read() | ControlBits.writeProtect)
  state.writeProtect = true
  var cr4 = control_register_4_read()
  if features.globalPages {
    cr4 |= ControlBits.pageGlobalEnable
    state.globalPages = true
  }
  if features.supervisorModeExecutionPrevention {
    cr4 |= ControlBits.supervisorModeExecutionPrevention
    state.supervisorModeExecutionPrevention = true
  }
  if features.supervisorModeAccessPrevention {
    cr4 |= ControlBits.supervisorModeAccessPrevention
    state.supervisorModeAccessPrevention = true
  }
  control_register_4_write(cr4)
  smap_is_enabled = state.supervisorModeAccessPrevention ? 1 : 0
  return state
}

/// Whether EFER.NXE is on now (the boot code sets it when the CPU has NX).
func noExecuteIsEnabled() -> Bool {
  model_specific_register_read(ControlBits.extendedFeatureEnableRegister)
    & ControlBits.noExecuteEnable != 0
}
