import Testing

@testable import LinuxABI

/// Linux's selector rules for signal frames (arch/x86/kernel/signal.c), host-side.
struct UserSegmentsTests {
  @Test func selectorsAreLinuxs() {
    #expect(UserSegments.USER32_CS == 0x23)
    #expect(UserSegments.USER_DS == 0x2b)
    #expect(UserSegments.USER_CS == 0x33)
  }

  @Test func strictRestoreOnlyForSixtyFourBitCode() {
    let both = SignalFrame.UC_SIGCONTEXT_SS | SignalFrame.UC_STRICT_RESTORE_SS
    #expect(UserSegments.contextFlags(interruptedCodeSelector: 0x33) == both)
    #expect(
      UserSegments.contextFlags(interruptedCodeSelector: 0x23) == SignalFrame.UC_SIGCONTEXT_SS)
  }

  @Test func restoredSelectorsGetRequestedPrivilegeThree() {
    let strict = SignalFrame.UC_STRICT_RESTORE_SS
    let (cs, ss) = UserSegments.restored(
      codeSelector: 0x10, stackSelector: 0x30, contextFlags: strict)
    #expect(cs == 0x13 && ss == 0x33)
    let null = UserSegments.restored(codeSelector: 0x33, stackSelector: 0, contextFlags: strict)
    #expect(null.ss == 3)  // strict: the IRET refuses it (#GP), as on Linux
  }

  @Test func nonStrictReturnToSixtyFourBitCodeGetsUserData() {
    let sixtyFour = UserSegments.restored(codeSelector: 0x33, stackSelector: 0, contextFlags: 0)
    #expect(sixtyFour.ss == UserSegments.USER_DS)
    let compatibility = UserSegments.restored(
      codeSelector: 0x23, stackSelector: 0x47, contextFlags: 0)
    #expect(compatibility.ss == 0x47)  // only a 64-bit return is fixed up (force_valid_ss)
  }
}
