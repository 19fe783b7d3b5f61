/// What one thread of a process has of its own in user mode, beside its registers (the trap
/// frame at the top of its kernel stack) and its FPU/SSE state (its stack's FXSAVE area):
/// Linux's `task_struct` fields a thread does not share with its group.
///
/// Everything else — memory, descriptors, dispositions, ids, limits — is the process's
/// (`UserProcess`), shared by all its threads.
///
/// LOCK: none. Only the thread itself changes these (through its own system calls), and the
/// scheduler reads the bases when it switches to the thread (on the CPU that will run it).
struct UserThreadState {
  /// The thread id (`gettid`): tids and pids share one counter (`ProcessTable.allocateID`);
  /// a process's id is its first thread's tid. 0 for an idle thread.
  var tid: UInt64 = 0
  /// The FS base set by `arch_prctl(ARCH_SET_FS)` or `CLONE_SETTLS` (the C library's thread
  /// pointer), loaded into IA32_FS_BASE at every switch to the thread.
  var fsBase: UInt64 = 0
  /// The GS base set by `arch_prctl(ARCH_SET_GS)` (loaded at every switch, like the FS base).
  var gsBase: UInt64 = 0
  /// `set_tid_address` / `CLONE_CHILD_CLEARTID`: at the thread's exit 0 is written here and one
  /// waiter of the futex there woken (what `pthread_join` waits for).
  var clearChildTID: UInt64 = 0
  /// `set_robust_list`: the head of the thread's robust futex list and its length (the size of
  /// `struct robust_list_head`), walked at its exit (`RobustList`).
  var robustListHead: UInt64 = 0
  var robustListLength: UInt64 = 0
  /// Its `comm` once `prctl(PR_SET_NAME)` set one (at most `TASK_COMM_LEN` − 1 bytes, no
  /// NUL), inherited by the threads and children it creates; nil: the process's name's last
  /// component (`ProcessReports.commandName`), as at a launch and after every `execve`.
  var commandName: [UInt8]? = nil
  /// Another thread of its process is in `execve` (`ThreadGroup.endOthersForExec`): this one
  /// ends on its way back to ring 3 (`ThreadExit.endIfAsked`).
  var mustExit = false
}
