/// What `madvise` asks of a range, as `AddressSpace.advise` acts on it. LinuxABI maps the
/// `MADV_*` values here; the answers that depend on the region (shared or private, its
/// protection) are the core's.
public enum Advice: Sendable, Equatable {
  /// `MADV_DONTNEED`, `MADV_DONTNEED_LOCKED`: private pages are dropped (they read back as
  /// zero); shared pages keep their data, as shared memory outlives its page-table entries.
  case dontNeed
  /// `MADV_FREE`: private pages are dropped at once (Linux may keep them until memory is
  /// short; either way they read back as zero or as before); `EINVAL` on shared memory.
  case free
  /// `MADV_REMOVE`: shared memory's pages are freed and read back as zero, whatever the
  /// protection (Linux asks for `VM_MAYWRITE`, which shared anonymous memory always has);
  /// `EINVAL` on private memory.
  case remove
  /// `MADV_POPULATE_READ` / `MADV_POPULATE_WRITE`: every page is faulted in as for that
  /// access; `EINVAL` where the protection lacks `PROT_READ` / `PROT_WRITE`.
  case populate(AccessKind)
  /// `MADV_WIPEONFORK`: private memory only (`EINVAL` on shared); no effect without fork.
  case privateOnly
  /// Every other known advice: no effect.
  case none
}
