extension SignalState {
  /// What `execve` does to the dispositions (kernel/signal.c `flush_signal_handlers`): a
  /// handler's address means nothing in the new program, so every caught signal goes back to
  /// `SIG_DFL`; `SIG_IGN` stays; flags, restorer and handler masks are cleared. The mask and
  /// the pending set are kept.
  ///
  /// One difference: a caught signal that is pending (blocked) and ignored by default
  /// (SIGCHLD, SIGURG, SIGWINCH, SIGCONT) is discarded here, where Linux keeps it pending
  /// until it is unblocked and then discards it — only `rt_sigpending` right after the exec
  /// could tell.
  public mutating func resetHandlersForExec() {
    for number in 1...LinuxSignal.count {
      let signal = LinuxSignal(rawValue: number)!
      guard !signal.isKernelOnly else { continue }
      let old = action(for: signal)
      let handler =
        old.handler == SignalAction.ignoreHandler
        ? SignalAction.ignoreHandler : SignalAction.defaultHandler
      let new = SignalAction(handler: handler, flags: 0, restorer: 0, mask: .empty)
      if new != old { _ = try? changeAction(of: number, to: new) }
    }
  }
}
