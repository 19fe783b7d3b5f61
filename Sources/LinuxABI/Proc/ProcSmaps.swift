/// The residency of a range of pages as `/proc/PID/smaps` counts it (fs/proc/task_mmu.c
/// `smaps_account`), in bytes; `pss*` in bytes shifted left by `ProcSmaps.pssShift`, as Linux
/// sums them so that a page mapped N times adds exactly 1/N.
public struct SmapsCounts: Equatable, Sendable {
  public var resident: UInt64 = 0
  public var pss: UInt64 = 0
  public var pssDirty: UInt64 = 0
  public var pssAnonymous: UInt64 = 0
  public var pssFile: UInt64 = 0
  public var pssShmem: UInt64 = 0
  public var sharedClean: UInt64 = 0
  public var sharedDirty: UInt64 = 0
  public var privateClean: UInt64 = 0
  public var privateDirty: UInt64 = 0
  public var referenced: UInt64 = 0
  public var anonymous: UInt64 = 0
  /// Swapped-out bytes of the range, and their proportional share (in 1/2^`pssShift` bytes).
  public var swap: UInt64 = 0
  public var swapPss: UInt64 = 0

  public init() {}

  /// What one page of `bytes` adds, Linux's `smaps_page_accumulate`: mapped more than once it
  /// is shared and adds 1/`mapCount` to the Pss; `kind` picks the Pss_ line it adds to.
  public mutating func add(
    bytes: UInt64, mapCount: UInt64, dirty: Bool, referenced isReferenced: Bool,
    kind: SmapsPageKind
  ) {
    resident += bytes
    if isReferenced { referenced += bytes }
    if kind == .anonymous { anonymous += bytes }
    let share = (bytes << ProcSmaps.pssShift) / max(mapCount, 1)
    pss += share
    if dirty { pssDirty += share }
    switch kind {
    case .anonymous: pssAnonymous += share
    case .file: pssFile += share
    case .shmem: pssShmem += share
    }
    switch (mapCount > 1, dirty) {
    case (true, true): sharedDirty += bytes
    case (true, false): sharedClean += bytes
    case (false, true): privateDirty += bytes
    case (false, false): privateClean += bytes
    }
  }

  /// The sums of two ranges (`smaps_rollup`).
  public mutating func add(_ other: SmapsCounts) {
    resident += other.resident
    pss += other.pss
    pssDirty += other.pssDirty
    pssAnonymous += other.pssAnonymous
    pssFile += other.pssFile
    pssShmem += other.pssShmem
    sharedClean += other.sharedClean
    sharedDirty += other.sharedDirty
    privateClean += other.privateClean
    privateDirty += other.privateDirty
    referenced += other.referenced
    anonymous += other.anonymous
    swap += other.swap
    swapPss += other.swapPss
  }
}

/// What a resident page is to smaps: anonymous (`PageAnon`), a file's page-cache page, or
/// shared memory (tmpfs and `MAP_SHARED | MAP_ANONYMOUS`, `PageSwapBacked`).
public enum SmapsPageKind: Equatable, Sendable {
  case anonymous, file, shmem
}

/// The `VmFlags:` of a region (`show_smap_vma_flags`), the flags this kernel's regions have.
public struct SmapsFlags: Equatable, Sendable {
  public var read = false
  public var write = false
  public var execute = false
  /// `sh` (`VM_SHARED`: a shared writable-file or shared-memory mapping).
  public var shared = false
  public var mayRead = true
  public var mayWrite = true
  public var mayExecute = true
  /// `ms` (`VM_MAYSHARE`: every `MAP_SHARED` mapping).
  public var mayShare = false
  /// `gd` (`VM_GROWSDOWN`: the stack).
  public var growsDown = false
  /// `ac` (`VM_ACCOUNT`: private writable memory charged to the commit).
  public var accounted = false
  /// `sd` (`VM_SOFTDIRTY`: every mapping made since the last clear, the stack excepted).
  public var softDirty = true

  public init() {}
}

/// `/proc/PID/smaps` and `smaps_rollup` in Linux 6.1's layout: each region's maps line, then
/// its sizes ("Label:" padded to 16 columns, the value right-aligned in 8, " kB"),
/// `THPeligible:` and `VmFlags:`; the rollup one `[rollup]` line spanning every region and the
/// sums. No `ProtectionKey:` line: this kernel does not enable protection keys (Linux prints
/// it only with `arch_pkeys_enabled()`).
public enum ProcSmaps {
  /// `PSS_SHIFT`: Pss is summed in 1/4096ths of a byte.
  public static let pssShift: UInt64 = 12
  static let kibibyteShift: UInt64 = 10
  static let labelWidth = 16
  public static let rollupName: [UInt8] = Array("[rollup]".utf8)

  public static func text(_ regions: [(entry: MapsEntry, counts: SmapsCounts, flags: SmapsFlags)])
    -> [UInt8]
  {
    var text = ProcText()
    for region in regions {
      ProcMaps.line(region.entry, into: &text)
      kibibytes("Size", (region.entry.end - region.entry.start) >> kibibyteShift, &text)
      kibibytes("KernelPageSize", 4, &text)
      kibibytes("MMUPageSize", 4, &text)
      counts(region.counts, rollup: false, &text)
      text.append("THPeligible:")
      text.pad(toColumn: labelWidth)
      text.decimal(0)
      text.newline()
      vmFlags(region.flags, &text)
    }
    return text.bytes
  }

  /// The rollup of every region from `start` to `end` (the first region's start, the last
  /// one's end); empty when the process has no memory.
  public static func rollup(start: UInt64, end: UInt64, _ sum: SmapsCounts) -> [UInt8] {
    var text = ProcText()
    ProcMaps.line(
      MapsEntry(
        start: start, end: end, readable: false, writable: false, executable: false,
        shared: false, name: rollupName), into: &text)
    counts(sum, rollup: true, &text)
    return text.bytes
  }

  static func counts(_ c: SmapsCounts, rollup: Bool, _ text: inout ProcText) {
    let pss = { (value: UInt64) in value >> (pssShift + kibibyteShift) }
    let kib = { (value: UInt64) in value >> kibibyteShift }
    kibibytes("Rss", kib(c.resident), &text)
    kibibytes("Pss", pss(c.pss), &text)
    kibibytes("Pss_Dirty", pss(c.pssDirty), &text)
    if rollup {
      kibibytes("Pss_Anon", pss(c.pssAnonymous), &text)
      kibibytes("Pss_File", pss(c.pssFile), &text)
      kibibytes("Pss_Shmem", pss(c.pssShmem), &text)
    }
    let lines: [(String, UInt64)] = [
      ("Shared_Clean", kib(c.sharedClean)), ("Shared_Dirty", kib(c.sharedDirty)),
      ("Private_Clean", kib(c.privateClean)), ("Private_Dirty", kib(c.privateDirty)),
      ("Referenced", kib(c.referenced)), ("Anonymous", kib(c.anonymous)), ("LazyFree", 0),
      ("AnonHugePages", 0), ("ShmemPmdMapped", 0), ("FilePmdMapped", 0),
      ("Shared_Hugetlb", 0), ("Private_Hugetlb", 0), ("Swap", kib(c.swap)),
      ("SwapPss", pss(c.swapPss)), ("Locked", 0),
    ]
    for (label, value) in lines { kibibytes(label, value, &text) }
  }

  /// "VmFlags: rd wr mr mw me ac sd " — each flag's two letters and a space, in Linux's
  /// order.
  static func vmFlags(_ f: SmapsFlags, _ text: inout ProcText) {
    text.append("VmFlags: ")
    let flags: [(Bool, String)] = [
      (f.read, "rd"), (f.write, "wr"), (f.execute, "ex"), (f.shared, "sh"), (f.mayRead, "mr"),
      (f.mayWrite, "mw"), (f.mayExecute, "me"), (f.mayShare, "ms"), (f.growsDown, "gd"),
      (f.accounted, "ac"), (f.softDirty, "sd"),
    ]
    for (set, name) in flags where set { text.append(name + " ") }
    text.newline()
  }

  /// "Label:" padded to 16 columns, the value right-aligned in 8, " kB" — meminfo's line.
  static func kibibytes(_ label: String, _ value: UInt64, _ text: inout ProcText) {
    ProcMeminfo.kibibytes(label, value, &text)
  }
}
