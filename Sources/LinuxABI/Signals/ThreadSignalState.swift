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
  /// What each signal of `pending` carries for its handler (one per number; a signal inserted
  /// into `pending` directly is told `SI_KERNEL`).
  var pendingInfo = [SignalInfo]()
  /// The alternate signal stack (`sas_ss_sp`, `sas_ss_size`, `sas_ss_flags`).
  public var alternateStack = SignalStack.disabled
  /// The mask `rt_sigsuspend` replaced (Linux's `saved_sigmask` with `TIF_RESTORE_SIGMASK`):
  /// the handler's frame records it as the mask to restore, and it becomes the mask again if
  /// no handler runs.
  public var maskAfterSuspend: SignalSet? = nil

  /// The last exception's vector, error code and fault address (Linux's `thread.trap_nr`,
  /// `error_code`, `cr2`), for the next signal frame's `sigcontext`.
  public var lastTrap = TrapRecord()

  /// Nothing blocked or pending, no alternate stack.
  public init() {}

  /// Queues `info` on the thread, unless its signal is pending already (standard signals are
  /// not queued twice; real-time ones are not queued either, a simplification).
  public mutating func queue(_ info: SignalInfo) {
    guard !pending.contains(info.signal) else { return }
    pending.insert(info.signal)
    pendingInfo.append(info)
  }

  /// Drops a pending instance of `signal` (one made ignored) with what it carried.
  public mutating func discard(_ signal: LinuxSignal) {
    pending.remove(signal)
    pendingInfo.removeAll { $0.signal == signal }
  }

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

/// An exception's record in the thread (what `sigcontext.trapno`, `err` and `cr2` report).
public struct TrapRecord: Equatable, Sendable {
  public var vector: UInt64 = 0
  public var errorCode: UInt64 = 0
  public var address: UInt64 = 0
  public init() {}
  public init(vector: UInt64, errorCode: UInt64, address: UInt64) {
    self.vector = vector
    self.errorCode = errorCode
    self.address = address
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

  /// Whether a stack is set (Linux looks at the size only: `SS_DISABLE` stores size 0).
  public var isEnabled: Bool { size != 0 }

  /// Whether `stackPointer` is on this stack (`on_sig_stack`: base < sp <= base + size, the
  /// top counted as on it since a push would land below it). Never while `SS_AUTODISARM`
  /// is set: the handler owns the stack, and a nested signal may start it afresh.
  public func contains(_ stackPointer: UInt64) -> Bool {
    flags & Self.SS_AUTODISARM == 0 && containsIgnoringDisarm(stackPointer)
  }

  /// The range test alone (`__on_sig_stack`).
  public func containsIgnoringDisarm(_ stackPointer: UInt64) -> Bool {
    isEnabled && stackPointer > base && stackPointer - base <= size
  }

  /// `sas_ss_flags(sp)`: `SS_DISABLE` with no stack, `SS_ONSTACK` while on it, else 0.
  public func reportedFlags(at stackPointer: UInt64) -> Int32 {
    !isEnabled ? Self.SS_DISABLE : contains(stackPointer) ? Self.SS_ONSTACK : 0
  }

  /// What `sigaltstack` reports as the old setting for a thread at `stackPointer`: the stored
  /// base and size, `sas_ss_flags(sp)` plus the stored `SS_AUTODISARM`.
  public func reported(at stackPointer: UInt64) -> SignalStack {
    SignalStack(
      base: base, flags: reportedFlags(at: stackPointer) | (flags & Self.SS_AUTODISARM),
      size: size)
  }

  /// `sigaltstack`'s new setting checked as Linux 6.1's `do_sigaltstack` does, for a thread at
  /// `stackPointer` whose current setting is `self`: EPERM while on the current stack, EINVAL
  /// for a mode other than 0, `SS_ONSTACK` or `SS_DISABLE` (`SS_AUTODISARM` may be added),
  /// ENOMEM below `MINSIGSTKSZ`. `SS_DISABLE` stores no base and no size.
  public func replaced(by new: SignalStack, at stackPointer: UInt64) throws(LinuxErrno)
    -> SignalStack
  {
    guard !contains(stackPointer) else { throw .EPERM }
    let mode = new.flags & ~Self.SS_AUTODISARM
    guard mode == 0 || mode == Self.SS_ONSTACK || mode == Self.SS_DISABLE else {
      throw .EINVAL
    }
    if mode == Self.SS_DISABLE { return SignalStack(base: 0, flags: new.flags, size: 0) }
    guard new.size >= Self.MINSIGSTKSZ else { throw .ENOMEM }
    return new
  }

  /// The 24 bytes of `stack_t`.
  public var image: [UInt8] {
    var writer = ByteWriter(bytes: [UInt8](repeating: 0, count: Self.byteCount))
    writer.put64(base, at: 0)
    writer.put32(UInt32(bitPattern: flags), at: 8)
    writer.put64(size, at: 16)
    return writer.bytes
  }

  /// A `stack_t` read from user memory.
  public init(decoding bytes: [UInt8]) {
    let reader = ByteReader(bytes: bytes)
    self.init(
      base: reader.get64(at: 0), flags: Int32(bitPattern: reader.get32(at: 8)),
      size: reader.get64(at: 16))
  }
}
