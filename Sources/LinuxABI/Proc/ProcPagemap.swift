/// One page as `/proc/PID/pagemap` reports it (fs/proc/task_mmu.c `pte_to_pagemap_entry`).
public struct PagemapPage: Equatable, Sendable {
  /// Whether the address is in a mapping at all (outside one the entry is 0).
  public var inMapping = false
  public var present = false
  /// The frame number (shown only to a privileged reader).
  public var frame: UInt64 = 0
  /// `PM_FILE`: a page of a file or of shared memory (not `PageAnon`).
  public var fileOrShared = false
  /// `PM_MMAP_EXCLUSIVE`: mapped exactly once.
  public var exclusive = false
  /// `PM_SOFT_DIRTY`: written, or in a mapping marked soft-dirty (`VM_SOFTDIRTY`).
  public var softDirty = false
  /// `PM_SWAP`: swapped out (0 until swap exists).
  public var swapped = false

  public init() {}
}

/// `/proc/PID/pagemap`: one 64-bit little-endian entry per virtual page, at file offset
/// `page number × 8`; reads must be whole entries at entry offsets (EINVAL otherwise). The
/// frame number (bits 0–54) is shown only when the reader had `CAP_SYS_ADMIN` when it opened
/// the file (Linux ≥ 4.2, `pm->show_pfn`); every process here is root, so it is shown.
public enum ProcPagemap {
  public static let entryBytes: UInt64 = 8
  static let present: UInt64 = 1 << 63
  static let swap: UInt64 = 1 << 62
  static let fileOrShared: UInt64 = 1 << 61
  static let exclusive: UInt64 = 1 << 56
  static let softDirty: UInt64 = 1 << 55
  /// `PM_PFRAME_MASK`: bits 0–54.
  static let frameMask: UInt64 = (1 << 55) - 1

  public static func entry(_ page: PagemapPage, showFrame: Bool) -> UInt64 {
    guard page.inMapping else { return 0 }
    var value: UInt64 = 0
    if page.present {
      value |= present
      if showFrame { value |= page.frame & frameMask }
    }
    if page.swapped { value |= swap }
    if page.fileOrShared { value |= fileOrShared }
    if page.exclusive { value |= exclusive }
    if page.softDirty { value |= softDirty }
    return value
  }

  /// Whether a read of `count` bytes at `offset` is whole entries (`pagemap_read`'s EINVAL).
  public static func isAligned(offset: UInt64, count: UInt64) -> Bool {
    offset % entryBytes == 0 && count % entryBytes == 0
  }
}
