/// A `siginfo_t` (include/uapi/asm-generic/siginfo.h, 128 bytes on x86-64): which signal, why
/// (`si_code`), and the union's fields for that reason — who sent it (`kill`), or the faulting
/// address (an exception's), or the child that changed state (SIGCHLD).
public struct SignalInfo: Equatable, Sendable {
  /// `si_signo`.
  public var signal: LinuxSignal
  /// `si_code`: ≤ 0 sent by a process (`SI_USER`, `SI_TKILL`, …), > 0 by the kernel.
  public var code: Int32
  /// `si_errno` (always 0 here, as Linux leaves it for these signals).
  public var errno: Int32 = 0
  /// The union's contents for this signal and code.
  public var details: Details

  /// The union of `siginfo_t` in the layouts the kernel uses (`_sifields`, at offset 16).
  public enum Details: Equatable, Sendable {
    /// `_kill`: `si_pid` at 16, `si_uid` at 20.
    case sender(pid: UInt32, uid: UInt32)
    /// `_sigfault`: `si_addr` at 16.
    case fault(address: UInt64)
    /// `_sigchld`: `si_pid` 16, `si_uid` 20, `si_status` 24, `si_utime` 32, `si_stime` 40.
    case child(pid: UInt32, uid: UInt32, status: Int32, userTicks: Int64, systemTicks: Int64)
    /// `_timer`: `si_tid` 16, `si_overrun` 20, `si_value` 24 (a POSIX or interval timer).
    case timer(id: Int32, overrun: Int32, value: UInt64)
    /// `rt_sigqueueinfo`'s: the union's first 32 bytes as the sender gave them
    /// (`QueuedSignalInfo`).
    case queued(UInt64, UInt64, UInt64, UInt64)
  }

  public init(signal: LinuxSignal, code: Int32, details: Details) {
    self.signal = signal
    self.code = code
    self.details = details
  }

  /// `sizeof(siginfo_t)` (`SI_MAX_SIZE`).
  public static let byteCount = 128
  /// Offset of the union `_sifields` (after signo, errno, code and 4 bytes of padding).
  public static let fieldsOffset = 16

  /// `SI_USER`: sent by `kill`.
  public static let SI_USER: Int32 = 0
  /// `SI_KERNEL`: sent by the kernel with no more detail (`force_sig`: #GP, int3, …).
  public static let SI_KERNEL: Int32 = 0x80
  /// `SI_TKILL`: sent by `tkill` or `tgkill`.
  public static let SI_TKILL: Int32 = -6
  /// SIGSEGV's codes: no mapping at the address; the mapping forbids the access.
  public static let SEGV_MAPERR: Int32 = 1
  public static let SEGV_ACCERR: Int32 = 2
  /// SIGBUS's codes: misaligned address; nonexistent physical address (a file mapping past
  /// the end of the file).
  public static let BUS_ADRALN: Int32 = 1
  public static let BUS_ADRERR: Int32 = 2
  /// SIGILL's: illegal opcode.
  public static let ILL_ILLOPN: Int32 = 2
  /// SIGFPE's (asm-generic/siginfo.h).
  public static let FPE_INTDIV: Int32 = 1
  public static let FPE_INTOVF: Int32 = 2
  public static let FPE_FLTDIV: Int32 = 3
  public static let FPE_FLTOVF: Int32 = 4
  public static let FPE_FLTUND: Int32 = 5
  public static let FPE_FLTRES: Int32 = 6
  public static let FPE_FLTINV: Int32 = 7
  /// SIGTRAP's: a breakpoint; a single step.
  public static let TRAP_BRKPT: Int32 = 1
  public static let TRAP_TRACE: Int32 = 2

  /// What `kill` (pid `sender`) or `tkill`/`tgkill` (`toThread`) queue: `SI_USER` or
  /// `SI_TKILL` with the sender's pid and uid (always 0 here: every process runs as root).
  public static func sent(_ signal: LinuxSignal, by sender: UInt32, toThread: Bool) -> SignalInfo {
    SignalInfo(
      signal: signal, code: toThread ? SI_TKILL : SI_USER, details: .sender(pid: sender, uid: 0))
  }

  /// What the kernel queues for a signal it raises with no more detail (`SEND_SIG_PRIV`):
  /// `SI_KERNEL`, pid and uid 0.
  public static func kernel(_ signal: LinuxSignal) -> SignalInfo {
    SignalInfo(signal: signal, code: SI_KERNEL, details: .sender(pid: 0, uid: 0))
  }

  /// The 128 bytes for user memory: every byte not named by the layout is zero.
  public var image: [UInt8] {
    var bytes = [UInt8](repeating: 0, count: Self.byteCount)
    bytes.withUnsafeMutableBytes { write(to: $0.baseAddress!) }
    return bytes
  }

  /// Writes the 128 bytes at `destination` (8-byte aligned), every byte not named by the
  /// layout zero.
  public func write(to destination: UnsafeMutableRawPointer) {
    destination.zeroQuadwords(Self.byteCount)
    destination.storeLittleEndian(UInt32(signal.rawValue), at: 0)
    destination.storeLittleEndian(UInt32(bitPattern: errno), at: 4)
    destination.storeLittleEndian(UInt32(bitPattern: code), at: 8)
    let base = Self.fieldsOffset
    switch details {
    case .sender(let pid, let uid):
      destination.storeLittleEndian(pid, at: base)
      destination.storeLittleEndian(uid, at: base + 4)
    case .fault(let address):
      destination.storeLittleEndian(address, at: base)
    case .child(let pid, let uid, let status, let userTicks, let systemTicks):
      destination.storeLittleEndian(pid, at: base)
      destination.storeLittleEndian(uid, at: base + 4)
      destination.storeLittleEndian(UInt32(bitPattern: status), at: base + 8)
      destination.storeLittleEndian(UInt64(bitPattern: userTicks), at: base + 16)
      destination.storeLittleEndian(UInt64(bitPattern: systemTicks), at: base + 24)
    case .timer(let id, let overrun, let value):
      destination.storeLittleEndian(UInt32(bitPattern: id), at: base)
      destination.storeLittleEndian(UInt32(bitPattern: overrun), at: base + 4)
      destination.storeLittleEndian(value, at: base + 8)
    case .queued(let word0, let word1, let word2, let word3):
      destination.storeLittleEndian(word0, at: base)
      destination.storeLittleEndian(word1, at: base + 8)
      destination.storeLittleEndian(word2, at: base + 16)
      destination.storeLittleEndian(word3, at: base + 24)
    }
  }
}

/// Little-endian stores into a byte image (the structures' fields at their offsets).
struct ByteWriter {
  var bytes: [UInt8]

  mutating func put64(_ value: UInt64, at offset: Int) {
    for index in 0..<8 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
  }
  mutating func put32(_ value: UInt32, at offset: Int) {
    for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
  }
  mutating func put16(_ value: UInt16, at offset: Int) {
    for index in 0..<2 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
  }
}

/// Little-endian loads from a byte image.
struct ByteReader {
  let bytes: [UInt8]

  func get64(at offset: Int) -> UInt64 {
    var value: UInt64 = 0
    for index in 0..<8 { value |= UInt64(bytes[offset + index]) << (8 * index) }
    return value
  }
  func get32(at offset: Int) -> UInt32 {
    var value: UInt32 = 0
    for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
    return value
  }
  func get16(at offset: Int) -> UInt16 {
    UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
  }
}
