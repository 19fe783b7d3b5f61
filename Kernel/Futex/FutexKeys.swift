import KernelSupport

/// Which futex a user address names (Linux's `get_futex_key`), and the 32-bit futex word's
/// reads and writes.
///
/// - A word in `MAP_SHARED` memory, asked for without `FUTEX_PRIVATE_FLAG`: keyed by its
///   physical address. The word is read first (faulting the page in, as the user access
///   would), then the page tables say where it is: processes mapping the object at different
///   addresses, or sharing it across `fork`, get the same key. Shared objects' pages never
///   move while mapped (no swap, no migration), so the key stays valid while anyone waits.
/// - Anything else — `FUTEX_PRIVATE_FLAG`, or private memory whatever the flag (Linux's key
///   for an anonymous private page is `(mm, address)` too) — keyed by the address space and
///   the address. A private op only checks the address is user space (Linux's `access_ok`):
///   waking on an unmapped address answers 0.
///
/// LOCK: with several CPUs the address space's lock is held around the read and the
/// translation, and the futex table lock from before the word is read until the waiter is
/// queued (`FutexCalls`): a concurrent munmap cannot free the frame between them.
enum FutexKeys {
  /// The futex word's size and alignment.
  static let wordSize: UInt64 = 4

  static func key(for address: UInt64, isPrivate: Bool) throws(LinuxErrno) -> FutexKey {
    guard address % wordSize == 0 else { throw .EINVAL }
    guard UserPointer.isValid(address, length: wordSize) else { throw .EFAULT }
    if !isPrivate, let physical = try sharedWord(at: address) {
      return FutexKey(kind: .shared, domain: 0, offset: physical)
    }
    return FutexKey(kind: .private, domain: runningSpaceIdentity(), offset: address)
  }

  /// The physical address of the word at `address` when it lies in shared memory (read
  /// first, faulting its page in), else nil.
  static func sharedWord(at address: UInt64) throws(LinuxErrno) -> UInt64? {
    _ = try read(address)
    let space = Processor.current.space
    guard let region = space.region(containing: address), region.kind.isShared,
      let virtual = VirtualAddress(address), let physical = space.pageMap.translate(virtual)
    else { return nil }
    return physical.value
  }

  /// The running address space's identity, read without holding the space: a retained
  /// `Processor.current.space` cost every private futex call a retain/release pair.
  @inline(__always)
  static func runningSpaceIdentity() -> UInt64 {
    Processor.borrowingCurrent { identity(of: $0.space) }
  }

  /// A number only this address space has while it exists (its object's address).
  static func identity(of space: ProcessAddressSpace) -> UInt64 {
    UInt64(UInt(bitPattern: Unmanaged.passUnretained(space).toOpaque()))
  }

  /// Reads the futex word (EFAULT when it cannot be read).
  static func read(_ address: UInt64) throws(LinuxErrno) -> UInt32 {
    // Into a local word, not the shared bounce buffer: that lazy global was a `swift_once`
    // call on every futex wait.
    var word: UInt32 = 0
    try UserMemory.copyIn(from: address, count: Int(wordSize), to: &word)
    return word
  }

  /// Writes the futex word (EFAULT when it cannot be written).
  static func write(_ value: UInt32, to address: UInt64) throws(LinuxErrno) {
    var word = value
    try UserMemory.copyOut(&word, count: Int(wordSize), to: address)
  }
}
