/// One thread's part of the signal state (Linux keeps it in `task_struct`): the mask
/// `rt_sigprocmask` sets, the signals sent to this thread alone (`tkill`, `tgkill`, a CPU
/// exception's), its alternate signal stack (`sigaltstack`), and the mask `rt_sigsuspend`
/// replaced, to put back once a handler has run. The dispositions and the signals sent to the
/// whole process stay in the process's `SignalState`.
///
/// A child of `fork` starts with a copy of its parent thread's (`inheritedByFork`): the same
/// mask and alternate stack, nothing pending.
public struct ThreadSignalState: Sendable {
  /// The signal mask: blocked signals stay pending. Never holds SIGKILL or SIGSTOP.
  public private(set) var blocked = SignalSet.empty
  /// Signals sent to this thread alone, not acted on yet (`task_struct.pending`).
  public var pending = SignalSet.empty
  /// The alternate signal stack (`sas_ss_sp`, `sas_ss_size`, `sas_ss_flags`).
  public var alternateStack = SignalStack.disabled
  /// The mask `rt_sigsuspend` replaced (Linux's `saved_sigmask` with `TIF_RESTORE_SIGMASK`):
  /// the handler's frame records it as the mask to restore, and it becomes the mask again if
  /// no handler runs.
  public var maskAfterSuspend: SignalSet? = nil

  /// Nothing blocked or pending, no alternate stack.
  public init() {}

  /// `rt_sigprocmask`: returns the old mask and, when `set` is given, changes it as `how` says
  /// (`SignalState.SIG_BLOCK` …). EINVAL for an unknown `how` (only checked with a set, as
  /// Linux does). SIGKILL and SIGSTOP are silently left out.
  public mutating func changeMask(how: Int32, set: SignalSet?) throws(LinuxErrno) -> SignalSet {
    let old = blocked
    guard let set else { return old }
    switch how {
    case SignalState.SIG_BLOCK: setMask(blocked.union(set))
    case SignalState.SIG_UNBLOCK: setMask(blocked.subtracting(set))
    case SignalState.SIG_SETMASK: setMask(set)
    default: throw .EINVAL
    }
    return old
  }

  /// Makes `mask` the signal mask, without SIGKILL and SIGSTOP (`set_current_blocked`): for
  /// delivery, `rt_sigreturn` and `rt_sigsuspend`.
  public mutating func setMask(_ mask: SignalSet) {
    blocked = mask.subtracting(.kernelOnly)
  }

  /// What the child of `fork` starts with: this mask and alternate stack, nothing pending.
  public var inheritedByFork: ThreadSignalState {
    var child = ThreadSignalState()
    child.blocked = blocked
    child.alternateStack = alternateStack
    return child
  }
}

/// An alternate signal stack as `sigaltstack` exchanges it (`stack_t` on x86-64: `ss_sp` at 0,
/// `ss_flags` at 8 (an int, then 4 bytes of padding), `ss_size` at 16; 24 bytes).
public struct SignalStack: Equatable, Sendable {
  /// `ss_sp`: the lowest address of the stack.
  public var base: UInt64
  /// `ss_flags`: `SS_DISABLE`, `SS_ONSTACK` (only ever reported), `SS_AUTODISARM`.
  public var flags: Int32
  /// `ss_size`: its length in bytes.
  public var size: UInt64

  /// `SS_ONSTACK`: reported while the thread runs on its alternate stack.
  public static let SS_ONSTACK: Int32 = 1
  /// `SS_DISABLE`: no alternate stack.
  public static let SS_DISABLE: Int32 = 2
  /// `SS_AUTODISARM`: the stack setting is cleared while a handler runs on it, and restored
  /// by `rt_sigreturn` (from the frame's `uc_stack`).
  public static let SS_AUTODISARM: Int32 = 1 << 31
  /// `MINSIGSTKSZ` (x86 uapi): the least size `sigaltstack` accepts.
  public static let MINSIGSTKSZ: UInt64 = 2048
  /// `sizeof(stack_t)`.
  public static let byteCount = 24

  /// What a thread starts with: `SS_DISABLE`, no base, no size.
  public static let disabled = SignalStack(base: 0, flags: SS_DISABLE, size: 0)

  public init(base: UInt64, flags: Int32, size: UInt64) {
    self.base = base
    self.flags = flags
    self.size = size
  }

  /// Whether a stack is set (`SS_DISABLE` not in the flags and a size).
  public var isEnabled: Bool { flags & Self.SS_DISABLE == 0 && size != 0 }

  /// Whether `stackPointer` is on this stack (`on_sig_stack`: base < sp <= base + size, the
  /// top counted as on it since a push would land below it).
  public func contains(_ stackPointer: UInt64) -> Bool {
    isEnabled && stackPointer > base && stackPointer - base <= size
  }
}
