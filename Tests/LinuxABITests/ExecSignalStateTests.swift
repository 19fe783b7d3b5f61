import Testing

@testable import LinuxABI

/// What `execve` keeps of the signal state (Linux 6.1's `flush_signal_handlers`; the thread's
/// alternate stack is dropped), host-side; tests/programs/exec_signal_state.c checks it against
/// Linux.
struct ExecSignalStateTests {
  let caught = SignalAction(
    handler: 0x40_1000, flags: SignalAction.SA_RESETHAND, restorer: 0x40_2000,
    mask: SignalSet(.SIGHUP))

  @Test func caughtBecomesDefaultIgnoredStaysIgnored() throws {
    var state = SignalState()
    _ = try state.changeAction(of: LinuxSignal.SIGUSR2.rawValue, to: caught)
    let ignore = SignalAction(
      handler: SignalAction.ignoreHandler, flags: 0, restorer: 0, mask: .empty)
    _ = try state.changeAction(of: LinuxSignal.SIGTERM.rawValue, to: ignore)
    state.resetHandlersForExec()
    #expect(state.action(for: .SIGUSR2) == .default)
    #expect(state.action(for: .SIGTERM) == ignore)
  }

  @Test func pendingDefaultIgnoredSignalSurvivesUntilUnblocked() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try state.changeAction(of: LinuxSignal.SIGCHLD.rawValue, to: caught)
    thread.setMask(SignalSet(.SIGCHLD))
    _ = state.send(.SIGCHLD, to: &thread)
    state.resetHandlersForExec()
    #expect(state.reportedPending(thread).contains(.SIGCHLD))
  }

  @Test func alternateStackIsDropped() {
    var thread = ThreadSignalState()
    thread.alternateStack = SignalStack(base: 0x7000_0000, flags: 0, size: 0x1_0000)
    thread.setMask(SignalSet(.SIGUSR1))
    thread.resetForExec()
    #expect(thread.alternateStack == .disabled)
    #expect(thread.blocked == SignalSet(.SIGUSR1))
  }
}
