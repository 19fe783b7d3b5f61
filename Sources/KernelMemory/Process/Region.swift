/// What a region of a process's memory is for.
public enum RegionKind: Sendable, Equatable, CustomStringConvertible {
  /// Anonymous memory from `mmap` (also a loaded program's segments and bss).
  case anonymous
  /// Anonymous memory from `mmap(MAP_SHARED | MAP_ANONYMOUS)`: the pages of a memory object
  /// (`MemoryObjectKind.anonymousShared`, `Region.object`), shared with every region that
  /// maps the object — across fork, including pages first touched after it.
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
  /// The memory object whose pages the region maps — shared memory, or privately a file's
  /// page cache (its pages read-only until a write copies them) — nil for private anonymous
  /// memory, whose pages belong to the leaves that map them.
  public internal(set) var object: MemoryObjectID? = nil
  /// The object page the region's first page maps (in pages); 0 without an object.
  public internal(set) var objectOffset: UInt64 = 0
  /// The most `mprotect` may give the region (Linux's `VM_MAYREAD`/`VM_MAYWRITE`/`VM_MAYEXEC`):
  /// everything, except for a `MAP_SHARED` mapping of a file opened read-only, which may
  /// never be written (`AddressSpace.reserveReadOnlySharedMapping`; its pages are mapped as a
  /// private mapping's, and asking for `PROT_WRITE` is `.beyondMaximumProtection`). Kept
  /// through splits, moves and fork; regions differing in it never merge.
  public internal(set) var maximumProtection: Protection = .all
  /// The lineage the region's private pages belong to (`AnonymousLineageTable`, the reverse
  /// map of pages shared after fork): given at the region's first fork, kept by its pieces,
  /// its copies and its moves; nil before (its pages are this space's alone) and for shared
  /// memory. Regions of two lineages never merge.
  public internal(set) var lineage: AnonymousLineageID? = nil
  /// The lineage page the region's first page is (`lineagePage(at:)`); 0 without a lineage.
  public internal(set) var lineageOffset: UInt64 = 0

  /// Whether the region is `MAP_SHARED` as Linux's `VM_MAYSHARE` says (the `s` of
  /// /proc/PID/maps): shared memory, or a read-only file's shared mapping — the only region
  /// whose maximum protection lacks write.
  @inlinable public var isMappedShared: Bool {
    kind.isShared || !maximumProtection.contains(.write)
  }

  @inlinable public var isCommitted: Bool { charge != 0 }

  /// The charge a committed region of this kind over `range` needs: for private memory its
  /// pages and every page table they can need (`CommitLedger.worstCaseFrames`); for a
  /// region of shared memory only the tables — its pages are the object's, charged once
  /// with the object (`MemoryObject.charge(forPages:)`). A private mapping of an object (a
  /// file's pages) is charged like anonymous memory: each page may become a private copy.
  public func worstCaseCharge(for range: VirtualRange) -> UInt64 {
    let all = CommitLedger.worstCaseFrames(for: range)
    return object == nil || !kind.isShared ? all : all - range.pageCount
  }

  /// The object page that `page` (inside the region) maps.
  @inlinable func objectPage(at page: UInt64) -> UInt64 {
    objectOffset + ((page - range.start) >> PageSize.size4KiB.shift)
  }

  public var description: String {
    range.description + " " + protection.description + " " + kind.description
  }
}
