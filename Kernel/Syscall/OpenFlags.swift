/// The flag values of the path calls (include/uapi/asm-generic/fcntl.h, linux/fcntl.h).
enum OpenFlags {
  static let accessMode: UInt64 = 0o3  // O_ACCMODE
  static let readOnly: UInt64 = 0o0  // O_RDONLY
  static let writeOnly: UInt64 = 0o1  // O_WRONLY
  static let readWrite: UInt64 = 0o2  // O_RDWR
  static let create: UInt64 = 0o100  // O_CREAT
  static let exclusive: UInt64 = 0o200  // O_EXCL
  static let noControllingTerminal: UInt64 = 0o400  // O_NOCTTY
  static let truncate: UInt64 = 0o1000  // O_TRUNC
  static let append: UInt64 = 0o2000  // O_APPEND
  static let nonBlocking: UInt64 = 0o4000  // O_NONBLOCK
  static let largeFile: UInt64 = 0o100000  // O_LARGEFILE (always set on 64-bit)
  static let directory: UInt64 = 0o200000  // O_DIRECTORY
  static let noFollow: UInt64 = 0o400000  // O_NOFOLLOW
  static let closeOnExec: UInt64 = 0o2000000  // O_CLOEXEC
  /// The flags `open` does not keep in `f_flags` (`do_dentry_open`, `build_open_flags`).
  static let notKept: UInt64 = create | exclusive | noControllingTerminal | truncate | closeOnExec

  /// `AT_FDCWD`: a dirfd meaning the working directory.
  static let currentDirectory: Int32 = -100
  static let symlinkNoFollow: UInt64 = 0x100  // AT_SYMLINK_NOFOLLOW
  static let effectiveAccess: UInt64 = 0x200  // AT_EACCESS
  static let noAutomount: UInt64 = 0x800  // AT_NO_AUTOMOUNT
  static let emptyPath: UInt64 = 0x1000  // AT_EMPTY_PATH
  static let removeDirectory: UInt64 = 0x200  // AT_REMOVEDIR
  static let symlinkFollow: UInt64 = 0x400  // AT_SYMLINK_FOLLOW
  /// The `umask` a launch's first process starts with (Linux's default, 022): the permission
  /// bits `open` and `mkdir` clear from a new file's mode (`UserProcess.creationMask`).
  static let creationMask: UInt32 = 0o022
  static let statxSyncType: UInt64 = 0x6000  // AT_STATX_SYNC_TYPE
  /// `STATX__RESERVED`: a mask bit no kernel may be asked for.
  static let statxReserved: UInt64 = 0x8000_0000

  /// `access` modes: `R_OK`, `W_OK`, `X_OK`.
  static let readAccess: UInt64 = 4
  static let writeAccess: UInt64 = 2
  static let executeAccess: UInt64 = 1

  /// `lseek` whence: `SEEK_SET`, `SEEK_CUR`, `SEEK_END`.
  static let seekSet: UInt64 = 0
  static let seekCurrent: UInt64 = 1
  static let seekEnd: UInt64 = 2
}
