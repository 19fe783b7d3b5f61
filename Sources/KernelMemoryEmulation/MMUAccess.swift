import KernelMemory

/// The privilege of the code making an access: ring 3 or rings 0–2.
public enum PrivilegeMode: Hashable, Sendable {
  /// CPL 3: a user process.
  case user
  /// CPL 0–2: the kernel.
  case supervisor
}

/// One memory access as the CPU presents it to the MMU: what it does and who does it.
public struct MMUAccess: Hashable, Sendable, CustomStringConvertible {
  /// What the access does to the byte.
  public enum Kind: Hashable, Sendable {
    case read
    case write
    /// An instruction fetch.
    case execute
  }

  /// What the access does.
  public var kind: Kind
  /// Who makes it.
  public var mode: PrivilegeMode
  /// EFLAGS.AC, as set by `stac`: lets a supervisor *data* access reach user pages despite SMAP.
  ///
  /// This is how a kernel's copy-from/to-user routines work; it never affects SMEP or user-mode
  /// accesses.
  public var overridesSMAP: Bool

  /// Creates an access.
  public init(_ kind: Kind, _ mode: PrivilegeMode, overridesSMAP: Bool = false) {
    self.kind = kind
    self.mode = mode
    self.overridesSMAP = overridesSMAP
  }

  /// The same access made with EFLAGS.AC set (inside `stac` … `clac`).
  public var overridingSMAP: MMUAccess {
    MMUAccess(kind, mode, overridesSMAP: true)
  }

  /// A ring-3 load.
  public static let userRead = MMUAccess(.read, .user)
  /// A ring-3 store.
  public static let userWrite = MMUAccess(.write, .user)
  /// A ring-3 instruction fetch.
  public static let userExecute = MMUAccess(.execute, .user)
  /// A kernel load.
  public static let supervisorRead = MMUAccess(.read, .supervisor)
  /// A kernel store.
  public static let supervisorWrite = MMUAccess(.write, .supervisor)
  /// A kernel instruction fetch.
  public static let supervisorExecute = MMUAccess(.execute, .supervisor)

  public var description: String {
    let who = mode == .user ? "user" : "supervisor"
    let what: String
    switch kind {
    case .read: what = "read"
    case .write: what = "write"
    case .execute: what = "execute"
    }
    return who + " " + what + (overridesSMAP ? " (AC)" : "")
  }
}
