/// What the page trap decided about a fault: the seed's three outcomes.
public enum FaultResolution: Sendable, Equatable, CustomStringConvertible {
  /// The process may go on: the faulting instruction is retried.
  case resolved(ResolvedBy)
  /// The process touched memory it may not: it must be killed (or, for a fault inside a user
  /// copy, the system call fails with `EFAULT`).
  case kill(KillReason)
  /// The kernel itself is broken: stop the machine.
  case panic(PanicReason)
  /// The page is on swap (`SwapFault`): the kernel reads it, waits for a read already under
  /// way, or reclaims a frame, then lets the instruction retry (issue 12's fourth answer).
  case swap(SwapFault)

  public var description: String {
    switch self {
    case .resolved(let how): return "resolved: " + how.description
    case .kill(let reason): return "kill: " + reason.description
    case .panic(let reason): return "panic: " + reason.description
    case .swap(let request): return "swap: " + request.description
    }
  }
}

/// How a fault was resolved.
public enum ResolvedBy: Sendable, Hashable, CustomStringConvertible {
  /// A zeroed frame was mapped with the region's protection (the seed's reallocation).
  case zeroedFrame
  /// The shared zero page was mapped read-only for a first read.
  case zeroPage
  /// A write to the shared zero page got a private zeroed frame.
  case copyOfZeroPage
  /// A page a memory object already held was mapped (shared memory another mapping touched).
  case objectPage
  /// A file's page was read into a page-cache frame and mapped (read-only: privately).
  case filePage
  /// A write to a page shared copy-on-write got a private copy.
  case copiedOnWrite
  /// A write to a page shared copy-on-write found this space its only owner: the frame was
  /// made exclusive and is written in place, not copied.
  case reusedExclusive
  /// The page was already mapped as the access needs (a second fault on the same page, or a
  /// stale TLB entry, now invalidated).
  case alreadyMapped
  /// The page table covering the page was shared by fork: this space took its own copy of it
  /// (or, as its last sharer, took it over), after which the page was mapped as the access
  /// needs. Progress, unlike `alreadyMapped`: the tables changed.
  case unsharedTable
  /// The page was on swap and its frame was in the swap cache (written out, read ahead, or
  /// read by another fault): mapped without I/O.
  case swapCache
  /// The page was read from swap and mapped by the read's completion
  /// (`AddressSpace.completeSwapIn`).
  case swapIn

  public var description: String {
    switch self {
    case .zeroedFrame: return "mapped a zeroed frame"
    case .zeroPage: return "mapped the shared zero page"
    case .copyOfZeroPage: return "replaced the zero page with a private frame"
    case .objectPage: return "mapped the memory object's page"
    case .filePage: return "read a file page into the page cache and mapped it"
    case .copiedOnWrite: return "copied a copy-on-write page"
    case .reusedExclusive: return "reused a copy-on-write page its only owner wrote"
    case .alreadyMapped: return "already mapped"
    case .unsharedTable: return "unshared the page table fork shared"
    case .swapCache: return "mapped the swap cache's frame"
    case .swapIn: return "read the page from swap and mapped it"
    }
  }
}

/// Why a process is killed.
public struct KillReason: Sendable, Equatable, CustomStringConvertible {
  /// What was wrong with the access.
  public enum Kind: Sendable, Equatable {
    /// The address is in no region of the process.
    case notMapped
    /// The region exists but forbids this kind of access.
    case accessViolation
    /// The address is the stack's guard page: the stack overflowed.
    case stackGuard
    /// The address is in the kernel's half.
    case kernelAddress
    /// The address is not canonical (a #GP rather than a #PF on real hardware).
    case nonCanonical
    /// The CPU was in ring 3 but reports a supervisor-mode access (U/S clear): an implicit
    /// supervisor access (SDM Vol. 3A §4.6), e.g. QEMU TCG popping a ring-3 `lretq`/`iretq`
    /// frame, which SMAP refuses on a user page. No page-table change can grant it.
    case supervisorModeAccess
    /// The same fault again with nothing left to change: the page is mapped and permits the
    /// access, and its stale translation was already invalidated once.
    case noProgress
    /// The page of a file mapping lies wholly past the end of its file (the mapping may be
    /// longer than the file, or the file shrank): Linux's `VM_FAULT_SIGBUS` from
    /// `filemap_fault`, SIGBUS `BUS_ADRERR`.
    case pastEndOfFile
    /// The page was on swap and the disk failed to read it: Linux's `VM_FAULT_SIGBUS` from
    /// `do_swap_page`, SIGBUS `BUS_ADRERR` (the page stays on swap for anyone else).
    case swapReadError
  }

  /// What was wrong.
  public let kind: Kind
  /// The faulting address.
  public let address: UInt64
  /// The access that faulted.
  public let access: AccessKind

  public init(kind: Kind, address: UInt64, access: AccessKind) {
    self.kind = kind
    self.address = address
    self.access = access
  }

  public var description: String {
    let what: String
    switch kind {
    case .notMapped: what = "address not mapped"
    case .accessViolation: what = "access violates the region's protection"
    case .stackGuard: what = "stack overflow into the guard page"
    case .kernelAddress: what = "kernel address"
    case .nonCanonical: what = "non-canonical address"
    case .supervisorModeAccess: what = "supervisor-mode access from user mode"
    case .noProgress: what = "the fault repeats with nothing left to change"
    case .pastEndOfFile: what = "past the end of the mapped file"
    case .swapReadError: what = "the swap read of the page failed"
    }
    return access.description + " at " + hex(address) + ": " + what
  }
}

/// Why the kernel must panic.
public enum PanicReason: Sendable, Equatable, CustomStringConvertible {
  /// The kernel faulted outside the user-copy routines.
  case kernelFault(PageFault)
  /// A paging-structure entry has a reserved bit set: the page tables are corrupt.
  case corruptPageTable(PageFault)
  /// A committed demand fault found no frame: the commit accounting is broken.
  case commitViolated(PageFault)

  public var description: String {
    switch self {
    case .kernelFault(let fault): return "kernel " + fault.description
    case .corruptPageTable(let fault): return "corrupt page table: " + fault.description
    case .commitViolated(let fault): return "no frame for committed memory: " + fault.description
    }
  }
}
