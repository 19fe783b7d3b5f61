extension SignalState {
  /// What `execve` does to the dispositions (kernel/signal.c `flush_signal_handlers`): a
  /// handler's address means nothing in the new program, so every caught signal goes back to
  /// `SIG_DFL`; `SIG_IGN` stays; flags, restorer and handler masks are cleared. The mask and
  /// the pending set are kept — all of it: the actions are set directly, not through
  /// `changeAction`, whose sigaction rule would discard a pending signal that `SIG_DFL` now
  /// ignores (a caught SIGCHLD sent to the process and blocked stays pending across the exec,
  /// and only its unblocking discards it, as on Linux).
  public mutating func resetHandlersForExec() {
    for number in 1...LinuxSignal.count {
      let signal = LinuxSignal(rawValue: number)!
      guard !signal.isKernelOnly else { continue }
      let old = action(for: signal)
      let handler =
        old.handler == SignalAction.ignoreHandler
        ? SignalAction.ignoreHandler : SignalAction.defaultHandler
      actions[number - 1] = SignalAction(handler: handler, flags: 0, restorer: 0, mask: .empty)
    }
  }
}
