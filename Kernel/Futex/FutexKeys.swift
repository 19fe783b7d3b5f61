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
    let space = Processor.current.space
    if !isPrivate {
      _ = try read(address)
      if let region = space.region(containing: address), region.kind.isShared,
        let virtual = VirtualAddress(address), let physical = space.pageMap.translate(virtual)
      {
        return FutexKey(kind: .shared, domain: 0, offset: physical.value)
      }
    }
    return FutexKey(kind: .private, domain: identity(of: space), offset: address)
  }

  /// A number only this address space has while it exists (its object's address).
  static func identity(of space: ProcessAddressSpace) -> UInt64 {
    UInt64(UInt(bitPattern: Unmanaged.passUnretained(space).toOpaque()))
  }

  /// Reads the futex word (EFAULT when it cannot be read).
  static func read(_ address: UInt64) throws(LinuxErrno) -> UInt32 {
    try UserMemory.copyIn(from: address, count: Int(wordSize), to: UserMemory.bounce)
    return UserMemory.bounce.load(as: UInt32.self)
  }

  /// Writes the futex word (EFAULT when it cannot be written).
  static func write(_ value: UInt32, to address: UInt64) throws(LinuxErrno) {
    var word = value
    try UserMemory.copyOut(&word, count: Int(wordSize), to: address)
  }
}
