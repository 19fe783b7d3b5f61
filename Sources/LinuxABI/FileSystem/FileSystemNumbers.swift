/// The errno values of the writable file system (asm-generic/errno-base.h, errno.h).
extension LinuxErrno {
  public static let EBUSY = LinuxErrno(rawValue: 16)
  public static let EXDEV = LinuxErrno(rawValue: 18)
  public static let ETXTBSY = LinuxErrno(rawValue: 26)
  public static let EFBIG = LinuxErrno(rawValue: 27)
  public static let ENOSPC = LinuxErrno(rawValue: 28)
  public static let EMLINK = LinuxErrno(rawValue: 31)
  public static let ENOTEMPTY = LinuxErrno(rawValue: 39)
}

/// The x86-64 numbers of the file calls (arch/x86/entry/syscalls/syscall_64.tbl).
extension SystemCallNumber {
  public static let pwrite64: UInt64 = 18
  public static let flock: UInt64 = 73
  public static let fsync: UInt64 = 74
  public static let fdatasync: UInt64 = 75
  public static let truncate: UInt64 = 76
  public static let ftruncate: UInt64 = 77
  public static let rename: UInt64 = 82
  public static let mkdir: UInt64 = 83
  public static let rmdir: UInt64 = 84
  public static let creat: UInt64 = 85
  public static let link: UInt64 = 86
  public static let unlink: UInt64 = 87
  public static let symlink: UInt64 = 88
  public static let chmod: UInt64 = 90
  public static let fchmod: UInt64 = 91
  public static let chown: UInt64 = 92
  public static let fchown: UInt64 = 93
  public static let lchown: UInt64 = 94
  public static let umask: UInt64 = 95
  public static let statfs: UInt64 = 137
  public static let fstatfs: UInt64 = 138
  public static let sync: UInt64 = 162
  public static let mkdirat: UInt64 = 258
  public static let fchownat: UInt64 = 260
  public static let unlinkat: UInt64 = 263
  public static let renameat: UInt64 = 264
  public static let linkat: UInt64 = 265
  public static let symlinkat: UInt64 = 266
  public static let fchmodat: UInt64 = 268
  public static let utimensat: UInt64 = 280
  public static let fallocate: UInt64 = 285
  public static let preadv: UInt64 = 295
  public static let pwritev: UInt64 = 296
  public static let syncfs: UInt64 = 306
  public static let renameat2: UInt64 = 316
  public static let memfd_create: UInt64 = 319
}
