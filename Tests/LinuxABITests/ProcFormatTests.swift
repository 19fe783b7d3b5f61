import LinuxABI
import Testing

/// The /proc text formats against lines Linux 6.1 printed (tools/run-linux --proc, busybox
/// cat of each file), with this kernel's numbers put in.
@Suite struct ProcFormatTests {
  func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

  @Test func mapsLinesAreLinuxsWithTheNameAtColumn73() {
    let entries = [
      MapsEntry(
        start: 0x40_0000, end: 0x40_1000, readable: true, writable: false, executable: false,
        shared: false, deviceMajor: 0, deviceMinor: 2, inode: 6, name: Array("/bin/busybox".utf8)),
      MapsEntry(
        start: 0x40_1000, end: 0x58_5000, readable: true, writable: false, executable: true,
        shared: false, offset: 0x1000, deviceMajor: 0, deviceMinor: 2, inode: 6,
        name: Array("/bin/busybox".utf8)),
      MapsEntry(
        start: 0x5e_5000, end: 0x5e_c000, readable: true, writable: true, executable: false,
        shared: false),
      MapsEntry(
        start: 0x28a0_8000, end: 0x28a2_a000, readable: true, writable: true, executable: false,
        shared: false, name: ProcMaps.heapName),
      MapsEntry(
        start: 0x7fca_1573_8000, end: 0x7fca_1574_8000, readable: true, writable: true,
        executable: false, shared: true),
      MapsEntry(
        start: 0x7ffe_c1db_9000, end: 0x7ffe_c1dd_a000, readable: true, writable: true,
        executable: false, shared: false, name: ProcMaps.stackName),
    ]
    let pad = { (prefix: String) in prefix + String(repeating: " ", count: 73 - prefix.count) }
    let expected = [
      pad("00400000-00401000 r--p 00000000 00:02 6 ") + "/bin/busybox",
      pad("00401000-00585000 r-xp 00001000 00:02 6 ") + "/bin/busybox",
      "005e5000-005ec000 rw-p 00000000 00:00 0 ",
      pad("28a08000-28a2a000 rw-p 00000000 00:00 0 ") + "[heap]",
      "7fca15738000-7fca15748000 rw-s 00000000 00:00 0 ",
      pad("7ffec1db9000-7ffec1dda000 rw-p 00000000 00:00 0 ") + "[stack]",
    ]
    #expect(text(ProcMaps.text(entries)) == expected.joined(separator: "\n") + "\n")
    #expect(
      expected[0]
        == "00400000-00401000 r--p 00000000 00:02 6                                  /bin/busybox")
  }

  @Test func statusHasLinuxsLinesInOrder() {
    var status = ProcessStatus()
    status.name = Array("busybox".utf8)
    status.threadGroupID = 82
    status.processID = 82
    status.parentID = 80
    status.descriptorCapacity = 64
    status.peakVirtualKiB = 2324
    status.virtualKiB = 2324
    status.peakResidentKiB = 4
    status.residentAnonymousKiB = 4
    status.dataKiB = 240
    status.stackKiB = 132
    status.executableKiB = 1552
    status.queuedSignalLimit = 3852
    status.caught = 0x1_0002
    let lines = text(ProcStatus.text(status)).split(
      separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 58)
    #expect(lines[0] == "Name:\tbusybox")
    #expect(lines[2] == "State:\tR (running)")
    #expect(lines[8] == "Uid:\t0\t0\t0\t0")
    #expect(lines[11] == "Groups:\t ")
    #expect(lines[16] == "VmPeak:\t    2324 kB")
    #expect(lines[22] == "RssAnon:\t       4 kB")
    #expect(lines[25] == "VmData:\t     240 kB")
    #expect(lines[21] == "VmRSS:\t       4 kB")
    #expect(lines[34] == "Threads:\t1")
    #expect(lines[35] == "SigQ:\t0/3852")
    #expect(lines[40] == "SigCgt:\t0000000000010002")
    #expect(lines[42] == "CapPrm:\t000001ffffffffff")
    #expect(lines[53].hasSuffix(",00000000,00000001"))
    #expect(lines[53].count == "Mems_allowed:\t".count + 32 * 9 - 1)
    #expect(lines[56] == "nonvoluntary_ctxt_switches:\t0")
    #expect(lines[57] == "")
  }

  @Test func statHas52FieldsInLinuxsOrder() {
    var stat = ProcessStatistics()
    stat.processID = 83
    stat.name = Array("busybox".utf8)
    stat.parentID = 80
    stat.minorFaults = 60
    stat.systemTicks = 2
    stat.startTicks = 613
    stat.virtualBytes = 2_379_776
    stat.residentPages = 1
    stat.codeStart = 4_198_400
    stat.codeEnd = 5_785_993
    stat.stackStart = 140_728_385_077_648
    stat.dataStart = 6_141_704
    stat.dataEnd = 6_178_576
    stat.breakStart = 48_640_000
    stat.argumentStart = 140_728_385_085_319
    stat.argumentEnd = 140_728_385_085_352
    stat.environmentStart = 140_728_385_085_352
    stat.environmentEnd = 140_728_385_085_419
    let line = text(ProcProcessStat.stat(stat))
    #expect(
      line
        == "83 (busybox) R 80 0 0 0 -1 4194304 60 0 0 0 0 2 0 0 20 0 1 0 613 2379776 1 "
        + "18446744073709551615 4198400 5785993 140728385077648 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 "
        + "6141704 6178576 48640000 140728385085319 140728385085352 140728385085352 "
        + "140728385085419 0\n")
    #expect(line.split(separator: " ").count == 52)
    stat.textPages = 388
    stat.dataPages = 93
    stat.virtualBytes = 581 * 4096
    #expect(text(ProcProcessStat.statm(stat)) == "581 1 0 388 0 93 0\n")
  }

  @Test func meminfoHasEveryLineOfLinux61() {
    var memory = MemoryReport()
    memory.totalPages = 996_752 / 4
    memory.freePages = 959_472 / 4
    memory.commitLimitPages = 498_376 / 4
    memory.directMap2MiB = 1_024_000
    let lines = text(ProcMeminfo.text(memory)).split(separator: "\n").map(String.init)
    let labels = lines.map { $0.split(separator: ":")[0] }
    let linux: String =
      "MemTotal MemFree MemAvailable Buffers Cached SwapCached Active Inactive Active(anon) "
      + "Inactive(anon) Active(file) Inactive(file) Unevictable Mlocked SwapTotal SwapFree "
    let linux2: String =
      "Dirty Writeback AnonPages Mapped Shmem KReclaimable Slab SReclaimable SUnreclaim "
      + "KernelStack PageTables SecPageTables NFS_Unstable Bounce WritebackTmp CommitLimit "
    let linux3: String =
      "Committed_AS VmallocTotal VmallocUsed VmallocChunk Percpu AnonHugePages "
      + "ShmemHugePages ShmemPmdMapped FileHugePages FilePmdMapped HugePages_Total "
    let linux4: String =
      "HugePages_Free HugePages_Rsvd HugePages_Surp Hugepagesize Hugetlb DirectMap4k "
      + "DirectMap2M DirectMap1G"
    #expect(labels.joined(separator: " ") == linux + linux2 + linux3 + linux4)
    #expect(lines[0] == "MemTotal:         996752 kB")
    #expect(lines[1] == "MemFree:          959472 kB")
    #expect(lines[31] == "CommitLimit:      498376 kB")
    #expect(lines[33] == "VmallocTotal:   34359738367 kB")
    #expect(lines[42] == "HugePages_Total:       0")
    #expect(lines[46] == "Hugepagesize:       2048 kB")
    #expect(lines[49] == "DirectMap2M:     1024000 kB")
  }

  @Test func cpuinfoDecodesCPUIDAsLinux() {
    var leaves = CPUReport.Leaves()
    // "AuthenticAMD", CPUID level 13; family 15 + 0 extended, model 0x6b, stepping 1.
    leaves.basic = CPUIDResult(eax: 13, ebx: 0x6874_7541, ecx: 0x444d_4163, edx: 0x6974_6e65)
    leaves.features = CPUIDResult(eax: 0x0006_0fb1, ebx: 0x0000_0800, ecx: 0x8000_0001, edx: 0x1d)
    leaves.extendedFeatures = CPUIDResult(ecx: 0x1, edx: 1 << 29)
    let name = Array("QEMU TCG CPU version 2.5+".utf8) + [UInt8](repeating: 0, count: 23)
    leaves.brand = (0..<3).map { part in
      let word = { (index: Int) -> UInt32 in
        (0..<4).reduce(0) { $0 | UInt32(name[part * 16 + index * 4 + $1]) << UInt32($1 * 8) }
      }
      return CPUIDResult(eax: word(0), ebx: word(1), ecx: word(2), edx: word(3))
    }
    leaves.cache = CPUIDResult(ebx: 0x0200_0200 | 0x0200_0200, ecx: 512 << 16)
    leaves.addressSizes = CPUIDResult(eax: 0x3028)
    let cpu = CPUReport(leaves, kilohertz: 2_445_449)
    #expect(cpu.family == 15 && cpu.model == 107 && cpu.stepping == 1)
    let lines = text(ProcCPUInfo.text(cpu)).split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[0] == "processor\t: 0")
    #expect(lines[1] == "vendor_id\t: AuthenticAMD")
    #expect(lines[2] == "cpu family\t: 15")
    #expect(lines[3] == "model\t\t: 107")
    #expect(lines[4] == "model name\t: QEMU TCG CPU version 2.5+")
    #expect(lines[7] == "cpu MHz\t\t: 2445.449")
    #expect(lines[8] == "cache size\t: 512 KB")
    #expect(lines[14] == "initial apicid\t: 0")
    #expect(lines[17] == "cpuid level\t: 13")
    #expect(lines[19] == "flags\t\t: fpu de pse tsc lm pni hypervisor lahf_lm")
    #expect(lines[21] == "bogomips\t: 4890.89")
    #expect(lines[22] == "TLB size\t: 1024 4K pages")
    #expect(lines[23] == "clflush size\t: 64")
    #expect(lines[24] == "cache_alignment\t: 64")
    #expect(lines[25] == "address sizes\t: 40 bits physical, 48 bits virtual")
    #expect(lines[26] == "power management:")
    #expect(lines[27] == "" && lines[28] == "" && lines.count == 29)
  }

  @Test func uptimeLoadavgAndStat() {
    var system = SystemReport()
    system.uptimeHundredths = 639
    system.load = (8, 2, 1)
    system.running = 1
    system.tasks = 48
    system.lastID = 88
    system.systemTicks = 331
    system.interrupts = 1143
    system.contextSwitches = 1124
    system.bootTime = 1_796_146_119
    system.processesCreated = 89
    #expect(text(ProcSystemFiles.uptime(system)) == "6.39 0.00\n")
    #expect(text(ProcSystemFiles.loadavg(system)) == "0.08 0.02 0.01 1/48 88\n")
    let stat = text(ProcSystemFiles.stat(system)).split(separator: "\n")
    #expect(stat[0] == "cpu  0 0 331 0 0 0 0 0 0 0")
    #expect(stat[1] == "cpu0 0 0 331 0 0 0 0 0 0 0")
    #expect(stat[2] == "intr 1143")
    #expect(stat[3] == "ctxt 1124")
    #expect(stat[4] == "btime 1796146119")
    #expect(stat[5] == "processes 89")
    #expect(stat[6] == "procs_running 1")
    #expect(stat[7] == "procs_blocked 0")
    #expect(stat[8] == "softirq 0 0 0 0 0 0 0 0 0 0 0")
  }

  @Test func pathsUnderProcResolveAsLinuxsProcfs() throws {
    let resolve = { (path: String, follow: Bool) throws(LinuxErrno) -> ProcNode? in
      try ProcPath.resolve(Array(path.utf8), selfID: 7, threadID: 9, followFinal: follow)
    }
    #expect(try resolve("/bin/sh", true) == nil)
    #expect(try resolve("proc/self", true) == nil)
    #expect(try resolve("/proc", true) == .root)
    #expect(try resolve("//proc/./", true) == .root)
    #expect(try resolve("/tmp/../proc/meminfo", true) == .system(.meminfo))
    #expect(try resolve("/proc/self", false) == .selfLink)
    #expect(try resolve("/proc/self", true) == .process(7, thread: nil, .directory))
    #expect(try resolve("/proc/self/", false) == .process(7, thread: nil, .directory))
    #expect(
      ProcPath.absolute(Array("stat".utf8), from: Array("/proc/3".utf8))
        == Array("/proc/3/stat".utf8))
    #expect(ProcPath.normalized(Array("/proc/3/..//".utf8)) == Array("/proc".utf8))
    #expect(try resolve("/proc/self/maps", false) == .process(7, thread: nil, .maps))
    #expect(try resolve("/proc/thread-self", false) == .threadSelfLink)
    #expect(try resolve("/proc/thread-self/stat", true) == .process(7, thread: 9, .stat))
    #expect(try resolve("/proc/12/fd/3", false) == .process(12, thread: nil, .descriptor(3)))
    #expect(try resolve("/proc/12/fd", false) == .process(12, thread: nil, .descriptorDirectory))
    #expect(try resolve("/proc/12/task", false) == .process(12, thread: nil, .taskDirectory))
    #expect(try resolve("/proc/12/exe", false) == .process(12, thread: nil, .exe))
    #expect(throws: LinuxErrno.ENOENT) { try resolve("/proc/nothing", true) }
    #expect(throws: LinuxErrno.ENOENT) { try resolve("/proc/012/maps", true) }
    #expect(throws: LinuxErrno.ENOENT) { try resolve("/proc/12/fd/x", true) }
    #expect(throws: LinuxErrno.ENOTDIR) { try resolve("/proc/12/maps/x", true) }
  }
}
