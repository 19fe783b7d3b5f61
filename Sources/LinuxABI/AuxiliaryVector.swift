/// Aux-vector entry types (`AT_*`, linux/auxvec.h and the x86-64 psABI §3.4.3).
public enum AuxiliaryType {
  public static let null: UInt64 = 0
  public static let programHeaders: UInt64 = 3  // AT_PHDR
  public static let programHeaderSize: UInt64 = 4  // AT_PHENT
  public static let programHeaderCount: UInt64 = 5  // AT_PHNUM
  public static let pageSize: UInt64 = 6  // AT_PAGESZ
  public static let interpreterBase: UInt64 = 7  // AT_BASE
  public static let flags: UInt64 = 8  // AT_FLAGS
  public static let entry: UInt64 = 9  // AT_ENTRY
  public static let userID: UInt64 = 11  // AT_UID
  public static let effectiveUserID: UInt64 = 12  // AT_EUID
  public static let groupID: UInt64 = 13  // AT_GID
  public static let effectiveGroupID: UInt64 = 14  // AT_EGID
  public static let platform: UInt64 = 15  // AT_PLATFORM
  public static let hardwareCapabilities: UInt64 = 16  // AT_HWCAP
  public static let clockTicks: UInt64 = 17  // AT_CLKTCK
  public static let secure: UInt64 = 23  // AT_SECURE
  public static let random: UInt64 = 25  // AT_RANDOM
  public static let executableName: UInt64 = 31  // AT_EXECFN
  public static let minimumSignalStackSize: UInt64 = 51  // AT_MINSIGSTKSZ
}

extension SignalFramePlacement {
  /// `AT_MINSIGSTKSZ`: the most stack a signal frame of this kernel takes below the stack
  /// pointer it is placed from (`place`): the FXSAVE image and its 64-byte alignment, the
  /// frame and the CALL alignment, rounded up to 16 as Linux's `init_sigframe_size` rounds
  /// its own. Linux 6.1 reports more on the same QEMU CPU (0xe30: its frames carry the whole
  /// XSAVE state, AVX-512 included); this kernel's frames are FXSAVE frames.
  public static var minimumStackSize: UInt64 {
    let worst =
      fxsaveBytes + (fpstateAlignment - 1) + UInt64(SignalFrame.byteCount)
      + (stackAlignment - 1) + UInt64(MemoryLayout<UInt64>.size)
    return (worst + stackAlignment - 1) & ~(stackAlignment - 1)
  }
}

/// What the process is told about itself through the aux vector.
public struct ProcessIdentity: Equatable, Sendable {
  /// `AT_HWCAP`: CPUID leaf 1 EDX, as Linux reports on x86.
  public var hardwareCapabilities: UInt64
  /// `AT_RANDOM`: 16 bytes the C library seeds its stack protector and pointer guard with.
  public var random: (UInt64, UInt64)
  /// `AT_UID`, `AT_EUID`, `AT_GID`, `AT_EGID` (all the same here).
  public var userID: UInt64 = 0

  public init(hardwareCapabilities: UInt64, random: (UInt64, UInt64), userID: UInt64 = 0) {
    self.hardwareCapabilities = hardwareCapabilities
    self.random = random
    self.userID = userID
  }

  public static func == (lhs: Self, rhs: Self) -> Bool {
    lhs.hardwareCapabilities == rhs.hardwareCapabilities && lhs.random == rhs.random
      && lhs.userID == rhs.userID
  }
}
