/// What a process may do with a region: the `PROT_*` bits of `mmap` and `mprotect`.
///
/// x86_64 cannot express write-only or execute-only pages: write implies read and execute
/// implies read in the page tables, as on Linux.
public struct Protection: OptionSet, Hashable, Sendable, CustomStringConvertible {
  public let rawValue: UInt32
  @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }

  /// `PROT_READ`.
  public static let read = Protection(rawValue: 0x1)
  /// `PROT_WRITE`.
  public static let write = Protection(rawValue: 0x2)
  /// `PROT_EXEC`.
  public static let execute = Protection(rawValue: 0x4)
  /// `PROT_NONE`: no access at all.
  public static let none: Protection = []
  /// Every valid bit.
  public static let all: Protection = [.read, .write, .execute]

  /// Whether an access of `kind` is allowed.
  @inlinable public func permits(_ kind: AccessKind) -> Bool {
    switch kind {
    case .read: return !isEmpty
    case .write: return contains(.write)
    case .execute: return contains(.execute)
    }
  }

  /// The flags of a user leaf entry for this protection. `PROT_NONE` pages stay present but
  /// supervisor-only, so their frame and contents survive until protection is restored, while
  /// any user access faults.
  @inlinable public var leafFlags: PageTableFlags {
    var flags: PageTableFlags = [.present]
    if !isEmpty { flags.insert(.user) }
    if contains(.write) { flags.insert(.writable) }
    if !contains(.execute) { flags.insert(.noExecute) }
    return flags
  }

  public var description: String {
    (contains(.read) ? "r" : "-") + (contains(.write) ? "w" : "-")
      + (contains(.execute) ? "x" : "-")
  }
}

/// The kind of a memory access, as a fault reports it.
public enum AccessKind: Sendable, Equatable, CustomStringConvertible {
  case read
  case write
  case execute

  public var description: String {
    switch self {
    case .read: return "read"
    case .write: return "write"
    case .execute: return "execute"
    }
  }
}
