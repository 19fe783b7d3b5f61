/// `st_mode` file types and the directory-entry types (sys/stat.h, linux/stat.h, dirent.h).
public enum FileMode {
  /// `S_IFMT`: the file-type bits of a mode.
  public static let typeMask: UInt32 = 0o170000
  public static let fifo: UInt32 = 0o010000  // S_IFIFO
  public static let characterDevice: UInt32 = 0o020000  // S_IFCHR
  public static let directory: UInt32 = 0o040000  // S_IFDIR
  public static let blockDevice: UInt32 = 0o060000  // S_IFBLK
  public static let regular: UInt32 = 0o100000  // S_IFREG
  public static let symbolicLink: UInt32 = 0o120000  // S_IFLNK
  public static let socket: UInt32 = 0o140000  // S_IFSOCK
  /// The permission bits (`07777`: rwx for user, group, other, and setuid/setgid/sticky).
  public static let permissionMask: UInt32 = 0o7777
  /// The rwx bits of user, group and other (`S_IRWXUGO`, `0777`): what `umask` keeps.
  public static let accessPermissionMask: UInt32 = 0o777
  /// Any execute bit (`S_IXUSR | S_IXGRP | S_IXOTH`): what root needs to execute a file.
  public static let anyExecute: UInt32 = 0o111
  /// `d_type` is the file type shifted down (`IFTODT(mode)` = `(mode & S_IFMT) >> 12`).
  static let directoryEntryTypeShift: UInt32 = 12

  /// `DT_*` for a mode.
  public static func directoryEntryType(_ mode: UInt32) -> UInt8 {
    UInt8(truncatingIfNeeded: (mode & typeMask) >> directoryEntryTypeShift)
  }
}

/// The character devices the kernel provides, by Linux's device numbers
/// (Documentation/admin-guide/devices.txt): what a `/dev` entry with that `rdev` opens.
public enum CharacterDevice: Equatable, Sendable {
  case null  // 1:3
  case zero  // 1:5
  case console  // 5:1
  case full  // 1:7
  case random  // 1:8
  case urandom  // 1:9
  case tty  // 5:0, the controlling terminal: the console here

  public static let memoryMajor: UInt32 = 1
  public static let nullMinor: UInt32 = 3
  public static let zeroMinor: UInt32 = 5
  public static let fullMinor: UInt32 = 7
  public static let randomMinor: UInt32 = 8
  public static let urandomMinor: UInt32 = 9
  public static let consoleMajor: UInt32 = 5
  public static let consoleMinor: UInt32 = 1
  public static let ttyMajor: UInt32 = 5
  public static let ttyMinor: UInt32 = 0

  /// The device `major:minor` names, or nil when the kernel has no driver for it (ENXIO).
  public init?(major: UInt32, minor: UInt32) {
    switch (major, minor) {
    case (Self.memoryMajor, Self.nullMinor): self = .null
    case (Self.memoryMajor, Self.zeroMinor): self = .zero
    case (Self.memoryMajor, Self.fullMinor): self = .full
    case (Self.memoryMajor, Self.randomMinor): self = .random
    case (Self.memoryMajor, Self.urandomMinor): self = .urandom
    case (Self.consoleMajor, Self.consoleMinor): self = .console
    case (Self.ttyMajor, Self.ttyMinor): self = .tty
    default: return nil
    }
  }
}
