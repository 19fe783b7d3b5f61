extension ThreadSignalState {
  /// What `execve` does to the calling thread's own signal state: the alternate signal stack
  /// is gone (the new program has no such memory; POSIX's "no alternate signal stacks in the
  /// new process image", Linux 6.1 checked by tests/programs/exec_signal_state.c). The mask
  /// and the thread's pending signals are kept.
  public mutating func resetForExec() {
    alternateStack = .disabled
  }
}
