import LinuxABI
import Testing

/// The per-thread half of the signal state: the mask, the thread's own pending set, the
/// alternate stack, and how `fork` copies them (Linux 6.1's `task_struct` rules).
@Suite struct ThreadSignalStateTests {
  @Test func aNewThreadBlocksNothingAndHasNoAlternateStack() {
    let thread = ThreadSignalState()
    #expect(thread.blocked.isEmpty && thread.pending.isEmpty)
    #expect(thread.alternateStack == .disabled && !thread.alternateStack.isEnabled)
    #expect(thread.maskAfterSuspend == nil)
  }

  @Test func theMaskNeverHoldsSigkillOrSigstop() throws {
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(rawValue: ~0))
    #expect(thread.blocked == SignalSet(rawValue: ~0).subtracting(.kernelOnly))
    thread.setMask(SignalSet(.SIGKILL, .SIGUSR1))
    #expect(thread.blocked == SignalSet(.SIGUSR1))
    let old = try thread.changeMask(how: SignalState.SIG_UNBLOCK, set: SignalSet(.SIGUSR1))
    #expect(old == SignalSet(.SIGUSR1) && thread.blocked.isEmpty)
  }

  @Test func forkCopiesTheMaskAndAlternateStackButNothingPending() throws {
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_SETMASK, set: SignalSet(.SIGTERM))
    thread.pending.insert(.SIGTERM)
    thread.alternateStack = SignalStack(base: 0x7000_0000, flags: 0, size: 8192)
    thread.maskAfterSuspend = .empty
    let child = thread.inheritedByFork
    #expect(child.blocked == SignalSet(.SIGTERM) && child.pending.isEmpty)
    #expect(child.alternateStack == thread.alternateStack && child.maskAfterSuspend == nil)
  }

  /// `on_sig_stack`: the top is on the stack, the base is not.
  @Test func onTheAlternateStackIsBaseExclusiveTopInclusive() {
    let stack = SignalStack(base: 0x1000, flags: 0, size: 0x1000)
    #expect(!stack.contains(0x1000) && stack.contains(0x1001) && stack.contains(0x2000))
    #expect(!stack.contains(0x2001) && !SignalStack.disabled.contains(0))
  }

  /// `tkill` pends on the thread, `kill` on the process; the thread's own go first, and the
  /// thread's mask decides for both.
  @Test func threadAndProcessPendingSetsAreSeparate() throws {
    var state = SignalState()
    var thread = ThreadSignalState()
    _ = try thread.changeMask(how: SignalState.SIG_BLOCK, set: SignalSet(.SIGUSR1, .SIGUSR2))
    #expect(state.send(.SIGUSR2, to: &thread) == .continues)
    #expect(state.send(.SIGUSR1, to: &thread, toThread: true) == .continues)
    #expect(state.pending == SignalSet(.SIGUSR2) && thread.pending == SignalSet(.SIGUSR1))
    #expect(state.reportedPending(thread) == SignalSet(.SIGUSR1, .SIGUSR2))
    #expect(state.takeNext(excluding: .empty, thread: &thread) == .SIGUSR1)
    #expect(state.takeNext(excluding: .empty, thread: &thread) == .SIGUSR2)
    #expect(state.takeNext(excluding: .empty, thread: &thread) == nil)
  }
}
