import LinuxABI
import Testing

/// The /proc files of session 6 — smaps, smaps_rollup, pagemap entries, mounts,
/// filesystems, /proc/sys — against what Linux 6.1 printed for the same kind of mapping
/// (tools/run-linux --proc, a static program reading its own files), and the file-page lines
/// of meminfo.
@Suite struct ProcResidencyFormatTests {
  func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  static let kib: UInt64 = 1024

  /// Linux's smaps of a 3-page private anonymous mapping with one page written and one read
  /// (the zero page, no Rss), without the ProtectionKey line (no pkeys here).
  @Test func smapsOfAnAnonymousMappingIsLinuxs() {
    var counts = SmapsCounts()
    counts.add(bytes: 4096, mapCount: 1, dirty: true, referenced: true, kind: .anonymous)
    var flags = SmapsFlags()
    flags.read = true
    flags.write = true
    flags.accounted = true
    let entry = MapsEntry(
      start: 0x7fb4_a01a_1000, end: 0x7fb4_a01a_4000, readable: true, writable: true,
      executable: false, shared: false)
    let linux = """
      7fb4a01a1000-7fb4a01a4000 rw-p 00000000 00:00 0 
      Size:                 12 kB
      KernelPageSize:        4 kB
      MMUPageSize:           4 kB
      Rss:                   4 kB
      Pss:                   4 kB
      Pss_Dirty:             4 kB
      Shared_Clean:          0 kB
      Shared_Dirty:          0 kB
      Private_Clean:         0 kB
      Private_Dirty:         4 kB
      Referenced:            4 kB
      Anonymous:             4 kB
      LazyFree:              0 kB
      AnonHugePages:         0 kB
      ShmemPmdMapped:        0 kB
      FilePmdMapped:         0 kB
      Shared_Hugetlb:        0 kB
      Private_Hugetlb:       0 kB
      Swap:                  0 kB
      SwapPss:               0 kB
      Locked:                0 kB
      THPeligible:    0
      VmFlags: rd wr mr mw me ac sd 

      """
    #expect(text(ProcSmaps.text([(entry, counts, flags)])) == linux)
  }

  /// A page mapped twice is shared and adds half to the Pss (Linux's 1/4096-byte sums);
  /// the VmFlags of a read-only file's MAP_SHARED mapping and of the stack.
  @Test func sharedPagesSplitThePssAndTheFlagsFollowTheRegion() {
    var counts = SmapsCounts()
    counts.add(bytes: 4096, mapCount: 2, dirty: true, referenced: true, kind: .shmem)
    counts.add(bytes: 4096, mapCount: 3, dirty: false, referenced: false, kind: .file)
    #expect(counts.sharedDirty == 4 * Self.kib && counts.sharedClean == 4 * Self.kib)
    #expect(counts.pss >> 22 == 3)  // 2 kB + 1.33 kB
    #expect(counts.pssShmem >> 22 == 2 && counts.pssFile == (4096 << 12) / 3)
    var readOnlyShared = SmapsFlags()
    readOnlyShared.read = true
    readOnlyShared.mayWrite = false
    readOnlyShared.mayShare = true
    var stack = SmapsFlags()
    stack.read = true
    stack.write = true
    stack.growsDown = true
    stack.accounted = true
    stack.softDirty = false
    let entry = MapsEntry(
      start: 0x1000, end: 0x2000, readable: true, writable: false, executable: false,
      shared: true)
    let lines = text(
      ProcSmaps.text([(entry, SmapsCounts(), readOnlyShared), (entry, SmapsCounts(), stack)])
    )
    .split(separator: "\n")
    #expect(
      lines.filter { $0.hasPrefix("VmFlags") } == [
        "VmFlags: rd mr me ms sd ", "VmFlags: rd wr mr mw me gd ac ",
      ])
  }

  @Test func rollupIsLinuxsLinesAfterTheSpanningLine() {
    var sum = SmapsCounts()
    sum.add(bytes: 8192, mapCount: 1, dirty: true, referenced: true, kind: .anonymous)
    let lines = text(ProcSmaps.rollup(start: 0x40_0000, end: 0x7ffe_f13b_b000, sum))
      .split(separator: "\n").map(String.init)
    #expect(
      lines[0]
        == "00400000-7ffef13bb000 ---p 00000000 00:00 0                              [rollup]")
    #expect(
      lines.dropFirst().map { String($0.split(separator: ":")[0]) }
        == [
          "Rss", "Pss", "Pss_Dirty", "Pss_Anon", "Pss_File", "Pss_Shmem", "Shared_Clean",
          "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced", "Anonymous",
          "LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
          "Private_Hugetlb", "Swap", "SwapPss", "Locked",
        ])
    #expect(lines[4] == "Pss_Anon:              8 kB")
  }

  /// Entries Linux 6.1 gave a root reader: a written private page, the zero page, a hole in
  /// a mapping, a shared-memory page mapped once, a file page mapped twice.
  @Test func pagemapEntriesAreLinuxsBits() {
    var written = PagemapPage()
    written.inMapping = true
    written.present = true
    written.frame = 0x29f8
    written.exclusive = true
    written.softDirty = true
    #expect(ProcPagemap.entry(written, showFrame: true) == 0x8180_0000_0000_29f8)
    #expect(ProcPagemap.entry(written, showFrame: false) == 0x8180_0000_0000_0000)
    var zero = PagemapPage()
    zero.inMapping = true
    zero.present = true
    zero.frame = 0x32b1
    zero.softDirty = true
    #expect(ProcPagemap.entry(zero, showFrame: true) == 0x8080_0000_0000_32b1)
    var hole = PagemapPage()
    hole.inMapping = true
    hole.softDirty = true
    #expect(ProcPagemap.entry(hole, showFrame: true) == 0x0080_0000_0000_0000)
    var shared = written
    shared.fileOrShared = true
    shared.frame = 0x29f7
    #expect(ProcPagemap.entry(shared, showFrame: true) == 0xa180_0000_0000_29f7)
    var file = shared
    file.exclusive = false
    file.frame = 0x29f5
    #expect(ProcPagemap.entry(file, showFrame: true) == 0xa080_0000_0000_29f5)
    #expect(ProcPagemap.entry(PagemapPage(), showFrame: true) == 0)
    #expect(ProcPagemap.isAligned(offset: 16, count: 8))
    #expect(
      !ProcPagemap.isAligned(offset: 4, count: 8) && !ProcPagemap.isAligned(offset: 8, count: 4))
  }

  @Test func mountsAndFilesystemsAreLinuxsLayout() {
    let mounts = ProcMounts.mounts([
      MountEntry(device: "rootfs", mountPoint: "/", type: "rootfs", options: "rw"),
      MountEntry(device: "proc", mountPoint: "/proc", type: "proc", options: "rw,relatime"),
    ])
    #expect(text(mounts) == "rootfs / rootfs rw 0 0\nproc /proc proc rw,relatime 0 0\n")
    let types = ProcMounts.filesystems([
      FileSystemType(name: "tmpfs"), FileSystemType(name: "ext4", needsDevice: true),
    ])
    #expect(text(types) == "nodev\ttmpfs\n\text4\n")
  }

  @Test func procSysResolvesItsDirectoriesAndFiles() throws {
    let resolve = { (path: String) throws(LinuxErrno) -> ProcNode? in
      try ProcPath.resolve(Array(path.utf8), selfID: 7, threadID: 9, followFinal: true)
    }
    #expect(try resolve("/proc/sys") == .sysDirectory(nil))
    #expect(try resolve("/proc/sys/vm/") == .sysDirectory(.vm))
    #expect(try resolve("/proc/sys/kernel/pid_max") == .sysctl(.pidMax))
    #expect(try resolve("/proc/sys/vm/overcommit_memory") == .sysctl(.overcommitMemory))
    #expect(try resolve("/proc/sys/fs/file-max") == .sysctl(.fileMax))
    #expect(try resolve("/proc/mounts") == .system(.mounts))
    #expect(try resolve("/proc/self/mounts") == .process(7, thread: nil, .mounts))
    #expect(try resolve("/proc/self/smaps_rollup") == .process(7, thread: nil, .smapsRollup))
    #expect(try resolve("/proc/7/pagemap") == .process(7, thread: nil, .pagemap))
    #expect(throws: LinuxErrno.ENOENT) { try resolve("/proc/sys/net") }
    #expect(throws: LinuxErrno.ENOENT) { try resolve("/proc/sys/vm/nothing") }
    #expect(throws: LinuxErrno.ENOTDIR) { try resolve("/proc/sys/vm/max_map_count/x") }
    #expect(ProcSysctl.files(in: .fs).map(\.name) == ["file-max", "nr_open"])
    #expect(text(ProcSysctl.text("65530")) == "65530\n")
  }

  /// Shared memory (tmpfs files, shared anonymous memory) is on the anonymous lists as
  /// Linux keeps it; a read-only file's pages are the file lists.
  @Test func meminfoFileLinesSplitTheCache() {
    var memory = MemoryReport()
    memory.cachedPages = 300
    memory.sharedPages = 200
    memory.activeFilePages = 60
    memory.inactiveFilePages = 40
    memory.anonymousPages = 10
    let lines = text(ProcMeminfo.text(memory)).split(separator: "\n").map(String.init)
    let value = { (label: String) -> String in
      lines.first { $0.hasPrefix(label + ":") }!.split(separator: " ").dropFirst().first.map(
        String.init)!
    }
    #expect(value("Cached") == "1200" && value("Shmem") == "800")
    #expect(value("Active") == "280" && value("Inactive") == "960")
    #expect(value("Active(anon)") == "40" && value("Inactive(anon)") == "800")
    #expect(value("Active(file)") == "240" && value("Inactive(file)") == "160")
  }
}
