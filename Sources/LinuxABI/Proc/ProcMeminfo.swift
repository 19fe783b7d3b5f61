/// What `/proc/meminfo` reports (fs/proc/meminfo.c `meminfo_proc_show`), in 4 KiB pages.
/// Lines for what this kernel does not have (swap, huge pages, slab, vmalloc use, writeback)
/// are 0, as Linux prints them when the feature is idle.
public struct MemoryReport: Equatable, Sendable {
  public var totalPages: UInt64 = 0
  public var freePages: UInt64 = 0
  /// `si_mem_available`: free memory plus what could be reclaimed without swapping.
  public var availablePages: UInt64 = 0
  /// Page-cache pages: every memory object's resident pages (files' and shared memory's, as
  /// Linux's `Cached` includes shmem).
  public var cachedPages: UInt64 = 0
  /// Of those, a read-only file's pages (what could be dropped and read again): mapped into
  /// some process (`Active(file)`) or not (`Inactive(file)`).
  public var activeFilePages: UInt64 = 0
  public var inactiveFilePages: UInt64 = 0
  /// Private pages processes have touched (anonymous memory).
  public var anonymousPages: UInt64 = 0
  /// Page-cache pages mapped into some process.
  public var mappedPages: UInt64 = 0
  /// Shared memory pages (`Shmem`): tmpfs and memfd files, `MAP_SHARED | MAP_ANONYMOUS`;
  /// on the anonymous lists, as Linux keeps them (`Inactive(anon)`).
  public var sharedPages: UInt64 = 0
  public var kernelStackKiB: UInt64 = 0
  public var pageTablePages: UInt64 = 0
  /// The swap area's usable slots and the free ones (issue 12), 0 without swap.
  public var swapTotalPages: UInt64 = 0
  public var swapFreePages: UInt64 = 0
  /// Frames in the swap cache (`SwapCached`): copies of swap slots kept in memory.
  public var swapCachedPages: UInt64 = 0
  public var commitLimitPages: UInt64 = 0
  public var committedPages: UInt64 = 0
  /// The direct map, by page size (`DirectMap4k`, `DirectMap2M`, `DirectMap1G`), in KiB.
  public var directMap4KiB: UInt64 = 0
  public var directMap2MiB: UInt64 = 0
  public var directMap1GiB: UInt64 = 0

  public init() {}
}

/// `/proc/meminfo`: Linux 6.1's lines in its order ("Label:" padded to 16 columns, the value
/// right-aligned in 8, " kB"; the HugePages_ counts in 5 without a unit).
public enum ProcMeminfo {
  /// The label column's width.
  static let labelWidth = 16
  /// `VMALLOC_TOTAL` on x86-64 with 4-level paging (32 TiB - 1 KiB, in KiB as Linux prints).
  public static let vmallocTotalKiB: UInt64 = 34_359_738_367
  /// `Hugepagesize`: a 2 MiB page, in KiB.
  public static let hugePageKiB: UInt64 = 2048

  public static func text(_ m: MemoryReport) -> [UInt8] {
    let kib = { (pages: UInt64) in pages * 4 }
    let active = m.anonymousPages + m.activeFilePages
    let inactive = m.sharedPages + m.inactiveFilePages
    let lines: [(String, UInt64)] = [
      ("MemTotal", kib(m.totalPages)), ("MemFree", kib(m.freePages)),
      ("MemAvailable", kib(m.availablePages)), ("Buffers", 0), ("Cached", kib(m.cachedPages)),
      ("SwapCached", kib(m.swapCachedPages)), ("Active", kib(active)), ("Inactive", kib(inactive)),
      ("Active(anon)", kib(m.anonymousPages)), ("Inactive(anon)", kib(m.sharedPages)),
      ("Active(file)", kib(m.activeFilePages)), ("Inactive(file)", kib(m.inactiveFilePages)),
      ("Unevictable", 0),
      ("Mlocked", 0), ("SwapTotal", kib(m.swapTotalPages)),
      ("SwapFree", kib(m.swapFreePages)), ("Dirty", 0), ("Writeback", 0),
      ("AnonPages", kib(m.anonymousPages)), ("Mapped", kib(m.mappedPages)),
      ("Shmem", kib(m.sharedPages)), ("KReclaimable", 0), ("Slab", 0), ("SReclaimable", 0),
      ("SUnreclaim", 0), ("KernelStack", m.kernelStackKiB),
      ("PageTables", kib(m.pageTablePages)), ("SecPageTables", 0), ("NFS_Unstable", 0),
      ("Bounce", 0), ("WritebackTmp", 0), ("CommitLimit", kib(m.commitLimitPages)),
      ("Committed_AS", kib(m.committedPages)), ("VmallocTotal", vmallocTotalKiB),
      ("VmallocUsed", 0), ("VmallocChunk", 0), ("Percpu", 0), ("AnonHugePages", 0),
      ("ShmemHugePages", 0), ("ShmemPmdMapped", 0), ("FileHugePages", 0), ("FilePmdMapped", 0),
    ]
    var text = ProcText()
    for (label, value) in lines { kibibytes(label, value, &text) }
    for label in ["HugePages_Total", "HugePages_Free", "HugePages_Rsvd", "HugePages_Surp"] {
      text.append(label + ":")
      text.pad(toColumn: labelWidth)
      text.spaces(3)
      text.decimal(0, width: 5)
      text.newline()
    }
    kibibytes("Hugepagesize", hugePageKiB, &text)
    kibibytes("Hugetlb", 0, &text)
    kibibytes("DirectMap4k", m.directMap4KiB, &text)
    kibibytes("DirectMap2M", m.directMap2MiB, &text)
    kibibytes("DirectMap1G", m.directMap1GiB, &text)
    return text.bytes
  }

  static func kibibytes(_ label: String, _ value: UInt64, _ text: inout ProcText) {
    text.append(label + ":")
    text.pad(toColumn: labelWidth)
    text.decimal(value, width: 8)
    text.append(" kB")
    text.newline()
  }
}
