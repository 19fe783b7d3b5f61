import KernelSupport

/// Fault-safe access to the running process's memory on its behalf (system-call arguments).
///
/// Every pointer and length is checked first (`UserPointer.isValid`: inside the user part, no
/// overflow; `AddressSpace.permits`: reserved with a protection that allows the access, which
/// also keeps the kernel off `PROT_NONE` pages it could otherwise reach); the copy itself runs in `user_copy` (STAC/CLAC around `rep movsb`), whose faults
/// the page trap gives to the core's policy as `.kernelAccessingUser`: a reserved page is backed
/// and the copy goes on, anything else resumes at the routine's recovery label and the call
/// fails with `EFAULT` instead of panicking.
enum UserMemory {
  /// The bounce buffer system calls copy through (one CPU, one call at a time).
  static let bounceSize = 4096
  nonisolated(unsafe) static let bounce = UnsafeMutableRawPointer.allocate(
    byteCount: bounceSize, alignment: 16)

  /// For the page trap: the recovery address if `rip` is in a user-access routine, else 0.
  static func recovery(for rip: UInt64) -> UInt64 {
    let own = user_copy_recovery_for(rip)
    return own != 0 ? own : user_memory_recovery_for(rip)
  }

  /// Copies `count` bytes from kernel memory at `source` to user `address`.
  static func copyOut(_ source: UnsafeRawPointer, count: Int, to address: UInt64)
    throws(LinuxErrno)
  {
    guard count > 0 else { return }
    guard UserPointer.isValid(address, length: UInt64(count)),
      Processor.current.space.permits(.write, start: address, length: UInt64(count))
    else { throw .EFAULT }
    let destination = UnsafeMutableRawPointer(bitPattern: UInt(address))
    guard let destination,
      user_copy(destination, source, UInt64(count)) == 0
    else { throw .EFAULT }
  }

  /// Copies `bytes` to user `address`.
  static func copyOut(_ bytes: [UInt8], to address: UInt64) throws(LinuxErrno) {
    let result: LinuxErrno? = bytes.withUnsafeBytes { raw in
      do throws(LinuxErrno) {
        try copyOut(raw.baseAddress!, count: raw.count, to: address)
        return nil
      } catch { return error }
    }
    if let result { throw result }
  }

  /// Copies `count` bytes from user `address` into kernel memory at `destination`.
  static func copyIn(from address: UInt64, count: Int, to destination: UnsafeMutableRawPointer)
    throws(LinuxErrno)
  {
    guard count > 0 else { return }
    guard UserPointer.isValid(address, length: UInt64(count)),
      Processor.current.space.permits(.read, start: address, length: UInt64(count)),
      let source = UnsafeRawPointer(bitPattern: UInt(address)),
      user_copy(destination, source, UInt64(count)) == 0
    else { throw .EFAULT }
  }

  /// Copies `count` bytes from user `address` into a new array.
  static func copyIn(from address: UInt64, count: Int) throws(LinuxErrno) -> [UInt8] {
    guard count > 0 else { return [] }
    var bytes = [UInt8](repeating: 0, count: count)
    let failure: LinuxErrno? = bytes.withUnsafeMutableBytes { raw in
      do throws(LinuxErrno) {
        try copyIn(from: address, count: count, to: raw.baseAddress!)
        return nil
      } catch { return error }
    }
    if let failure { throw failure }
    return bytes
  }

  /// Reads one 64-bit word of user memory.
  static func readWord(at address: UInt64) throws(LinuxErrno) -> UInt64 {
    try copyIn(from: address, count: 8, to: bounce)
    return bounce.load(as: UInt64.self)
  }
}
