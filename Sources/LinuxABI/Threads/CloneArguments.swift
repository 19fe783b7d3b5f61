/// `clone3`'s `struct clone_args` (linux/sched.h), read and checked as Linux's
/// `copy_clone_args_from_user` and `clone3_args_valid` do (kernel/fork.c).
///
/// | offset | field | since |
/// |---|---|---|
/// | 0 | flags | VER0 (64 bytes) |
/// | 8 | pidfd | |
/// | 16 | child_tid | |
/// | 24 | parent_tid | |
/// | 32 | exit_signal | |
/// | 40 | stack (lowest address) | |
/// | 48 | stack_size | |
/// | 56 | tls | |
/// | 64 | set_tid | VER1 (80 bytes) |
/// | 72 | set_tid_size | |
/// | 80 | cgroup | VER2 (88 bytes) |
public struct CloneArguments: Equatable, Sendable {
  public static let CLONE_ARGS_SIZE_VER0 = 64
  public static let CLONE_ARGS_SIZE_VER1 = 80
  public static let CLONE_ARGS_SIZE_VER2 = 88
  /// The largest `size` accepted at all (`PAGE_SIZE`); larger is E2BIG.
  public static let maximumSize = 4096
  /// `CSIGNAL`: the exit signal's bits of the legacy flags word.
  public static let CSIGNAL: UInt64 = 0xff
  /// The flags of the legacy `clone` (the low 32 bits), and the two only `clone3` has.
  public static let CLONE_LEGACY_FLAGS: UInt64 = 0xffff_ffff
  public static let CLONE_NEWTIME: UInt64 = 0x80
  public static let CLONE_SIGHAND: UInt64 = 0x800
  public static let CLONE_PARENT: UInt64 = 0x8000
  public static let CLONE_THREAD: UInt64 = 0x10000
  public static let CLONE_DETACHED: UInt64 = 0x40_0000
  public static let CLONE_CLEAR_SIGHAND: UInt64 = 0x1_0000_0000
  public static let CLONE_INTO_CGROUP: UInt64 = 0x2_0000_0000
  /// `MAX_PID_NS_LEVEL`: the most entries `set_tid` may have.
  public static let MAX_PID_NS_LEVEL: UInt64 = 32
  /// `INT_MAX`: the largest cgroup descriptor.
  public static let intMax: UInt64 = 0x7fff_ffff

  public var flags: UInt64 = 0
  public var pidfd: UInt64 = 0
  public var childTID: UInt64 = 0
  public var parentTID: UInt64 = 0
  public var exitSignal: UInt64 = 0
  public var stack: UInt64 = 0
  public var stackSize: UInt64 = 0
  public var tls: UInt64 = 0
  public var setTID: UInt64 = 0
  public var setTIDSize: UInt64 = 0
  public var cgroup: UInt64 = 0

  public init() {}

  /// Checks `size` before anything is read: E2BIG above a page, EINVAL below VER0.
  public static func checkSize(_ size: UInt64) throws(LinuxErrno) {
    guard size <= UInt64(maximumSize) else { throw .E2BIG }
    guard size >= UInt64(CLONE_ARGS_SIZE_VER0) else { throw .EINVAL }
  }

  /// Decodes the `size` bytes the caller passed (already checked by `checkSize`): fields past
  /// `size` read zero; bytes past the fields Linux knows must be zero (else E2BIG); then the
  /// fields are checked (EINVAL).
  public init(bytes: [UInt8]) throws(LinuxErrno) {
    let known = Self.CLONE_ARGS_SIZE_VER2
    if bytes.count > known, bytes[known...].contains(where: { $0 != 0 }) { throw .E2BIG }
    func field(_ index: Int) -> UInt64 {
      let start = index * 8
      guard start + 8 <= bytes.count else { return 0 }
      var value: UInt64 = 0
      for byte in 0..<8 { value |= UInt64(bytes[start + byte]) << (8 * UInt64(byte)) }
      return value
    }
    flags = field(0)
    pidfd = field(1)
    childTID = field(2)
    parentTID = field(3)
    exitSignal = field(4)
    stack = field(5)
    stackSize = field(6)
    tls = field(7)
    setTID = field(8)
    setTIDSize = field(9)
    cgroup = field(10)
    try checkFields(size: bytes.count)
  }

  /// `copy_clone_args_from_user`'s and `clone3_args_valid`'s checks, in their order.
  func checkFields(size: Int) throws(LinuxErrno) {
    if setTIDSize > Self.MAX_PID_NS_LEVEL || (setTID == 0 && setTIDSize > 0) { throw .EINVAL }
    if setTID != 0 && setTIDSize == 0 { throw .EINVAL }
    if exitSignal & ~Self.CSIGNAL != 0 { throw .EINVAL }
    if flags & Self.CLONE_INTO_CGROUP != 0
      && (cgroup > Self.intMax || size < Self.CLONE_ARGS_SIZE_VER2)
    {
      throw .EINVAL
    }
    let allowed = Self.CLONE_LEGACY_FLAGS | Self.CLONE_CLEAR_SIGHAND | Self.CLONE_INTO_CGROUP
    if flags & ~allowed != 0 { throw .EINVAL }
    if flags & (Self.CLONE_DETACHED | (Self.CSIGNAL & ~Self.CLONE_NEWTIME)) != 0 { throw .EINVAL }
    let bothSighand = Self.CLONE_SIGHAND | Self.CLONE_CLEAR_SIGHAND
    if flags & bothSighand == bothSighand { throw .EINVAL }
    if flags & (Self.CLONE_THREAD | Self.CLONE_PARENT) != 0 && exitSignal != 0 { throw .EINVAL }
    if (stack == 0) != (stackSize == 0) { throw .EINVAL }
  }

  /// The legacy `clone` flags word this asks for (the exit signal in CSIGNAL's bits).
  public var legacyFlags: UInt64 { (flags & Self.CLONE_LEGACY_FLAGS & ~Self.CSIGNAL) | exitSignal }

  /// The child's stack pointer: the top of the stack area (x86 stacks grow down), 0 for none.
  public var stackPointer: UInt64 { stack == 0 ? 0 : stack &+ stackSize }
}
