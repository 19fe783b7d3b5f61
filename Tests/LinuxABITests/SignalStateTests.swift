import LinuxABI
import Testing

/// Linux's rules for the signals a process sends itself, before delivery to handlers exists
/// (issue 8, item 4). Each expectation is what Linux 6.1 does (kernel/signal.c), and the
/// user-space program tests/programs/signal_self.c checks the same on a real kernel.
@Suite struct SignalStateTests {
  let handler = SignalAction(
    handler: 0x40_1000, flags: 0x0400_0004, restorer: 0x40_2000, mask: SignalSet(.SIGUSR1))

  @Test func defaultActionsAreLinuxs() {
    for signal in [LinuxSignal.SIGCHLD, .SIGURG, .SIGWINCH, .SIGCONT] {
      #expect(signal.defaultAction == .ignore)
    }
    for signal in [LinuxSignal.SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU] {
      #expect(signal.defaultAction == .stop)
    }
    for number in [1, 2, 3, 6, 9, 10, 11, 13, 14, 15, 24, 29, 31, 32, 50, 64] {
      #expect(LinuxSignal(rawValue: number)!.defaultAction == .terminate)
    }
    #expect(LinuxSignal(rawValue: 0) == nil && LinuxSignal(rawValue: 65) == nil)
  }

  @Test func signalsIgnoredByDefaultDoNotKill() {
    var state = SignalState()
    var thread = ThreadSignalState()
    for signal in [LinuxSignal.SIGCHLD, .SIGURG, .SIGWINCH, .SIGCONT, .SIGTSTP, .SIGSTOP] {
      #expect(state.send(signal, to: &thread) == .continues)
    }
    #expect(state.pending.isEmpty)
  }

  @Test func terminatingSignalsWithTheDefaultActionKill() {
    var state = SignalState()
    var thread = ThreadSignalState()
    #expect(state.send(.SIGTERM, to: &thread) == .terminates(.SIGTERM))
    #expect(state.send(.SIGABRT, to: &thread) == .terminates(.SIGABRT))
    #expect(
      state.send(LinuxSignal(rawValue: 40)!, to: &thread) == .terminates(LinuxSignal(rawValue: 40)!)
    )
  }

  @Test func anIgnoredSignalIsDiscarded() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    let ignore = SignalAction(
      handler: SignalAction.ignoreHandler, flags: 0, restorer: 0, mask: .empty)
    _ = try state.changeAction(of: LinuxSignal.SIGTERM.rawValue, to: ignore)
    #expect(state.send(.SIGTERM, to: &thread) == .continues)
    #expect(state.pending.isEmpty)
  }

  @Test func aBlockedSignalStaysPendingUntilUnblocked() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(.SIGTERM))
    #expect(state.send(.SIGTERM, to: &thread) == .continues)
    #expect(state.send(.SIGTERM, to: &thread) == .continues)  // not queued twice
    #expect(state.reportedPending(thread) == SignalSet(.SIGTERM))
    let old = try thread.changeMask(how: SignalState.SIG_UNBLOCK, set: SignalSet(.SIGTERM))
    #expect(old == SignalSet(.SIGTERM))
    #expect(state.deliver(thread: &thread) == .terminates(.SIGTERM))
    #expect(state.pending.isEmpty)
  }

  /// Blocked signals are never ignored (their disposition may change before they are
  /// unblocked); setting SIG_IGN discards a pending one, blocked or not.
  @Test func aBlockedIgnoredSignalIsKeptUntilTheDispositionSaysIgnore() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_SETMASK, set: SignalSet(.SIGCHLD, .SIGUSR1))
    #expect(state.send(.SIGCHLD, to: &thread) == .continues)
    #expect(state.send(.SIGUSR1, to: &thread) == .continues)
    #expect(state.reportedPending(thread) == SignalSet(.SIGCHLD, .SIGUSR1))
    let ignore = SignalAction(
      handler: SignalAction.ignoreHandler, flags: 0, restorer: 0, mask: .empty)
    _ = try state.changeAction(of: LinuxSignal.SIGUSR1.rawValue, to: ignore)
    #expect(state.reportedPending(thread) == SignalSet(.SIGCHLD))
    _ = try thread.changeMask(how: SignalState.SIG_SETMASK, set: .empty)
    #expect(state.deliver(thread: &thread) == .continues)  // SIGCHLD's default is to ignore
    #expect(state.pending.isEmpty)
  }

  @Test func sigkillAndSigstopCannotBeCaughtBlockedOrIgnored() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    #expect(throws: LinuxErrno.EINVAL) {
      try state.changeAction(of: LinuxSignal.SIGKILL.rawValue, to: handler)
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try state.changeAction(of: LinuxSignal.SIGSTOP.rawValue, to: .default)
    }
    #expect(try state.changeAction(of: LinuxSignal.SIGKILL.rawValue, to: nil) == .default)
    _ = try thread.changeMask(how: SignalState.SIG_SETMASK, set: SignalSet(rawValue: ~0))
    #expect(thread.blocked == SignalSet(rawValue: ~0).subtracting(.kernelOnly))
    #expect(state.send(.SIGKILL, to: &thread) == .terminates(.SIGKILL))
  }

  @Test func badNumbersAndHowAreEinval() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    for number in [0, -1, 65, 1000] {
      #expect(throws: LinuxErrno.EINVAL) { try state.changeAction(of: number, to: nil) }
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try thread.changeMask(how: 3, set: SignalSet(.SIGTERM))
    }
    #expect(try thread.changeMask(how: 3, set: nil) == .empty)  // no set: `how` is not looked at
  }

  @Test func theOldActionRoundTripsWithUnknownFlagsDropped() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    var asked = handler
    asked.flags |= 0x400  // SA_UNSUPPORTED: always reads back clear
    asked.mask = SignalSet(.SIGUSR1, .SIGKILL, .SIGSTOP)
    #expect(try state.changeAction(of: LinuxSignal.SIGUSR2.rawValue, to: asked) == .default)
    let stored = try state.changeAction(of: LinuxSignal.SIGUSR2.rawValue, to: nil)
    #expect(stored == handler)
    #expect(stored.image.count == SignalAction.byteCount)
    #expect(Array(stored.image[0..<8]) == [0x00, 0x10, 0x40, 0, 0, 0, 0, 0])
  }

  /// A caught signal cannot run its handler yet: it is consumed as if the handler returned at
  /// once, so resetting the handler to SIG_DFL later does not kill (Linux had delivered it).
  @Test func aCaughtSignalIsConsumedWithoutRunningItsHandler() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try state.changeAction(of: LinuxSignal.SIGUSR1.rawValue, to: handler)
    #expect(state.send(.SIGUSR1, to: &thread) == .continues)
    #expect(state.pending.isEmpty)
    #expect(try state.changeAction(of: LinuxSignal.SIGUSR1.rawValue, to: .default) == handler)
    #expect(state.deliver(thread: &thread) == .continues)
  }

  /// Blocked, a caught signal waits like any other; unblocked, it is consumed, and
  /// SA_RESETHAND makes the disposition SIG_DFL again, as one delivery does on Linux.
  @Test func aCaughtSignalWithResetHandResetsTheDisposition() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    var oneShot = handler
    oneShot.flags |= SignalAction.SA_RESETHAND
    _ = try state.changeAction(of: LinuxSignal.SIGUSR1.rawValue, to: oneShot)
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(.SIGUSR1))
    #expect(state.send(.SIGUSR1, to: &thread) == .continues)
    #expect(state.reportedPending(thread) == SignalSet(.SIGUSR1))
    _ = try thread.changeMask(how: SignalState.SIG_UNBLOCK, set: SignalSet(.SIGUSR1))
    #expect(state.deliver(thread: &thread) == .continues)
    #expect(state.pending.isEmpty)
    #expect(state.action(for: .SIGUSR1) == .default)
    #expect(state.send(.SIGUSR1, to: &thread) == .terminates(.SIGUSR1))
  }

  /// Exceptions' signals go first, then the lowest number (`next_signal`).
  @Test func deliveryOrderIsLinuxs() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(rawValue: ~0))
    for signal in [LinuxSignal.SIGTERM, .SIGHUP, .SIGSEGV] { _ = state.send(signal, to: &thread) }
    _ = try thread.changeMask(how: SignalState.SIG_SETMASK, set: .empty)
    #expect(state.deliver(thread: &thread) == .terminates(.SIGSEGV))
    #expect(state.deliver(thread: &thread) == .terminates(.SIGHUP))
    #expect(state.deliver(thread: &thread) == .terminates(.SIGTERM))
    #expect(SignalSet(.SIGWINCH, .SIGINT).first == .SIGINT)
  }

  @Test func sigcontDiscardsPendingStopsAndStopsDiscardSigcont() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(.SIGTSTP, .SIGCONT))
    _ = state.send(.SIGTSTP, to: &thread)
    _ = state.send(.SIGCONT, to: &thread)
    #expect(state.reportedPending(thread) == SignalSet(.SIGCONT))
    _ = state.send(.SIGTSTP, to: &thread)
    #expect(state.reportedPending(thread) == SignalSet(.SIGTSTP))
  }
}
