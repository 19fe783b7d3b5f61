/// What a region of a process's memory is for.
public enum RegionKind: Sendable, Equatable, CustomStringConvertible {
  /// Anonymous memory from `mmap` (also a loaded program's segments and bss).
  case anonymous
  /// The `brk` heap.
  case heap
  /// The user stack.
  case stack
  /// An unmapped page that must never be backed: touching it is a stack overflow.
  case guardPage

  public var description: String {
    switch self {
    case .anonymous: return "anonymous"
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
  /// on Linux; once charged, a region stays charged until released.
  public internal(set) var charge: UInt64

  @inlinable public var isCommitted: Bool { charge != 0 }

  public var description: String {
    range.description + " " + protection.description + " " + kind.description
  }
}
