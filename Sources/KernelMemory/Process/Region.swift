/// What a region of a process's memory is for.
public enum RegionKind: Sendable, Equatable, CustomStringConvertible {
  /// Anonymous memory from `mmap` (also a loaded program's segments and bss).
  case anonymous
  /// Anonymous memory from `mmap(MAP_SHARED | MAP_ANONYMOUS)`. With one address space and no
  /// fork there is no one to share it with, so it behaves as private memory — except for the
  /// `madvise` answers Linux gives shared memory (`AddressSpace.advise`), and it never merges
  /// with private neighbours.
  case sharedAnonymous
  /// The `brk` heap.
  case heap
  /// The user stack.
  case stack
  /// An unmapped page that must never be backed: touching it is a stack overflow.
  case guardPage

  /// Whether the memory is `MAP_SHARED`.
  @inlinable public var isShared: Bool { self == .sharedAnonymous }

  public var description: String {
    switch self {
    case .anonymous: return "anonymous"
    case .sharedAnonymous: return "shared"
    case .heap: return "heap"
    case .stack: return "stack"
    case .guardPage: return "guard"
    }
  }
}

/// A reserved range of a process's address space: the unit `mmap` creates and `munmap` splits.
public struct Region: Hashable, Sendable, CustomStringConvertible {
  /// The addresses, page-aligned.
  public internal(set) var range: VirtualRange
  /// What the process may do there.
  public internal(set) var protection: Protection
  /// What the region is for.
  public let kind: RegionKind
  /// Frames charged to the commit ledger for this region (pages plus the tables they may need).
  ///
  /// Zero for guard pages and for `PROT_NONE` reservations that were never made accessible, as
  /// on Linux; once charged, a region stays charged until released. The charge follows the
  /// pages, not the protection: a committed region made `PROT_NONE` keeps its frames and so its
  /// charge, and what it becomes — pieces of a split, the target of an `mremap`, a part grown
  /// onto it — is committed too. The invariant `AddressSpace.commitAudit` checks: a region
  /// with a backed page, or one a process may touch, is charged at least
  /// `CommitLedger.worstCaseFrames(for: range)`.
  public internal(set) var charge: UInt64

  @inlinable public var isCommitted: Bool { charge != 0 }

  public var description: String {
    range.description + " " + protection.description + " " + kind.description
  }
}
