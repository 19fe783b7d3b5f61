/// Linux's `access_ok`: the range check every system call makes on a user buffer before it
/// looks at the memory, so a kernel pointer is EFAULT even for zero bytes.
extension UserPointer {
  /// `MAX_RW_COUNT` (`INT_MAX & PAGE_MASK`): the most one read, write or getrandom moves.
  static let maximumTransfer: UInt64 = 0x7fff_f000

  /// Whether `address ..< address + length` passes Linux's range check: inside the user part
  /// without overflow, and for length 0, an address no higher than its end (`write(fd, NULL,
  /// 0)` is 0, `write(fd, kernel address, 0)` EFAULT). `isValid` accepts any zero-length range.
  static func passesAccessCheck(_ address: UInt64, length: UInt64) -> Bool {
    length == 0 ? address <= UserLayout.end : isValid(address, length: length)
  }
}
