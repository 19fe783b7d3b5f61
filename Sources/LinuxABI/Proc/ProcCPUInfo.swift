/// One CPUID answer.
public struct CPUIDResult: Equatable, Sendable {
  public var eax: UInt32
  public var ebx: UInt32
  public var ecx: UInt32
  public var edx: UInt32

  public init(eax: UInt32 = 0, ebx: UInt32 = 0, ecx: UInt32 = 0, edx: UInt32 = 0) {
    self.eax = eax
    self.ebx = ebx
    self.ecx = ecx
    self.edx = edx
  }
}

/// What `/proc/cpuinfo` says about the CPU, decoded from CPUID as arch/x86/kernel/cpu does.
public struct CPUReport: Equatable, Sendable {
  /// The leaves the report reads: 0, 1, 7.0, 0xd.1, 0x8000_0000 … 0x8000_0008.
  public struct Leaves: Sendable {
    public var basic = CPUIDResult()  // 0
    public var features = CPUIDResult()  // 1
    public var structured = CPUIDResult()  // 7, subleaf 0
    public var xsave = CPUIDResult()  // 0xd, subleaf 1
    public var extendedMaximum = CPUIDResult()  // 0x8000_0000
    public var extendedFeatures = CPUIDResult()  // 0x8000_0001
    public var brand: [CPUIDResult] = []  // 0x8000_0002 … 0x8000_0004
    public var cache = CPUIDResult()  // 0x8000_0006
    public var addressSizes = CPUIDResult()  // 0x8000_0008
    public init() {}
  }

  public var vendor: [UInt8] = []
  public var family: UInt32 = 0
  public var model: UInt32 = 0
  public var modelName: [UInt8] = []
  public var stepping: UInt32 = 0
  public var cacheKiB: UInt32 = 0
  public var apicID: UInt32 = 0
  public var cpuidLevel: UInt32 = 0
  public var flags: [String] = []
  /// AMD's `x86_tlbsize` (0: no TLB size line).
  public var tlbSize: UInt32 = 0
  public var clflushSize: UInt32 = 0
  public var physicalBits: UInt32 = 0
  public var virtualBits: UInt32 = 0
  /// The TSC's rate in kHz (`cpu_khz`), from the kernel's calibration.
  public var kilohertz: UInt64 = 0

  public init() {}

  /// The family, model and stepping of CPUID 1 (`x86_family`, `x86_model`), the vendor and
  /// brand strings, cache and address sizes, and the named feature bits.
  public init(_ leaves: Leaves, kilohertz: UInt64) {
    self.kilohertz = kilohertz
    cpuidLevel = leaves.basic.eax
    vendor = Self.bytes(of: [leaves.basic.ebx, leaves.basic.edx, leaves.basic.ecx])
    let signature = leaves.features.eax
    family = (signature >> 8) & 0xf
    if family == 0xf { family += (signature >> 20) & 0xff }
    model = (signature >> 4) & 0xf
    if family >= 6 { model += ((signature >> 16) & 0xf) << 4 }
    stepping = signature & 0xf
    clflushSize = ((leaves.features.ebx >> 8) & 0xff) * 8
    apicID = leaves.features.ebx >> 24
    let words = leaves.brand.flatMap { [$0.eax, $0.ebx, $0.ecx, $0.edx] }
    modelName = Self.trimmed(Self.bytes(of: words))
    cacheKiB = leaves.cache.ecx >> 16
    if vendor == Array("AuthenticAMD".utf8), family >= 0xf {
      tlbSize = ((leaves.cache.ebx >> 16) & 0xfff) + (leaves.cache.ebx & 0xfff)
    }
    physicalBits = leaves.addressSizes.eax & 0xff
    virtualBits = (leaves.addressSizes.eax >> 8) & 0xff
    flags = CPUFeatureNames.names(leaves)
  }

  static func bytes(of words: [UInt32]) -> [UInt8] {
    words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> ($0 * 8)) } }
  }

  /// The brand string without its NULs and surrounding spaces.
  static func trimmed(_ bytes: [UInt8]) -> [UInt8] {
    var text = bytes
    while let last = text.last, last == 0 || last == UInt8(ascii: " ") { text.removeLast() }
    while let first = text.first, first == UInt8(ascii: " ") { text.removeFirst() }
    return text
  }
}

/// `/proc/cpuinfo` (arch/x86/kernel/cpu/proc.c `show_cpuinfo`) for one CPU: "key\t: value"
/// lines, keys shorter than a tab stop followed by two tabs, and a blank line after the CPU.
public enum ProcCPUInfo {
  public static func text(_ cpu: CPUReport) -> [UInt8] {
    var text = ProcText()
    let mhz = cpu.kilohertz
    field("processor", "0", &text)
    field("vendor_id", cpu.vendor, &text)
    field("cpu family", String(cpu.family), &text)
    field("model", String(cpu.model), &text)
    field("model name", cpu.modelName, &text)
    field("stepping", String(cpu.stepping), &text)
    field("microcode", "0x0", &text)
    field("cpu MHz", thousandths(mhz), &text)
    field("cache size", String(cpu.cacheKiB) + " KB", &text)
    for key in ["physical id"] { field(key, "0", &text) }
    field("siblings", "1", &text)
    field("core id", "0", &text)
    field("cpu cores", "1", &text)
    field("apicid", String(cpu.apicID), &text)
    field("initial apicid", String(cpu.apicID), &text)
    field("fpu", "yes", &text)
    field("fpu_exception", "yes", &text)
    field("cpuid level", String(cpu.cpuidLevel), &text)
    field("wp", "yes", &text)
    field("flags", Array(cpu.flags.joined(separator: " ").utf8), &text)
    field("bugs", "", &text)
    // Linux's bogomips: loops_per_jiffy from the TSC, about twice the clock in MHz.
    field("bogomips", hundredths(mhz * 2 / 10), &text)
    if cpu.tlbSize > 0 { field("TLB size", String(cpu.tlbSize) + " 4K pages", &text) }
    field("clflush size", String(cpu.clflushSize), &text)
    field("cache_alignment", String(cpu.clflushSize), &text)
    field(
      "address sizes",
      String(cpu.physicalBits) + " bits physical, " + String(cpu.virtualBits) + " bits virtual",
      &text)
    text.append("power management:")
    text.newline()
    text.newline()
    return text.bytes
  }

  /// The tab stop: keys shorter than it get a second tab, as Linux's literal format has.
  static let tabStop = 8

  static func field(_ key: String, _ value: String, _ text: inout ProcText) {
    field(key, Array(value.utf8), &text)
  }

  static func field(_ key: String, _ value: [UInt8], _ text: inout ProcText) {
    text.append(key)
    text.append(key.utf8.count < tabStop ? "\t\t: " : "\t: ")
    text.append(bytes: value)
    text.newline()
  }

  /// kHz as MHz with three decimals ("2445.449").
  static func thousandths(_ value: UInt64) -> String {
    let fraction = String(value % 1000)
    let zeros = String(repeating: "0", count: 3 - fraction.utf8.count)
    return String(value / 1000) + "." + zeros + fraction
  }

  static func hundredths(_ value: UInt64) -> String {
    var text = ProcText()
    text.hundredths(value)
    return String(decoding: text.bytes, as: UTF8.self)
  }
}

/// The names Linux gives CPUID feature bits in /proc/cpuinfo (arch/x86/include/asm/
/// cpufeatures.h), for the words read straight from CPUID, in Linux's word order: 0 (1.EDX),
/// 1 (0x8000_0001.EDX), 4 (1.ECX), 6 (0x8000_0001.ECX), 9 (7.0.EBX), 10 (0xd.1.EAX),
/// 16 (7.0.ECX). Linux's synthetic words (rep_good, nopl, arat, …) are not derived.
/// An empty name is a bit Linux does not show.
enum CPUFeatureNames {
  static let word0 = [
    "fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic", "", "sep", "mtrr",
    "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", "", "dts", "acpi", "mmx", "fxsr",
    "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe",
  ]
  static let word1 = [
    "", "", "", "", "", "", "", "", "", "", "", "syscall", "", "", "", "", "", "", "", "mp", "nx",
    "", "mmxext", "", "", "fxsr_opt", "pdpe1gb", "rdtscp", "", "lm", "3dnowext", "3dnow",
  ]
  static let word4 = [
    "pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx", "est", "tm2", "ssse3",
    "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", "", "pcid", "dca", "sse4_1", "sse4_2",
    "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "", "avx", "f16c",
    "rdrand", "hypervisor",
  ]
  static let word6 = [
    "lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm", "sse4a", "misalignsse",
    "3dnowprefetch", "osvw", "ibs", "xop", "skinit", "wdt", "", "lwp", "fma4", "tce", "",
    "nodeid_msr", "", "tbm", "topoext", "perfctr_core", "perfctr_nb", "", "bpext", "ptsc",
    "perfctr_llc", "mwaitx", "", "",
  ]
  static let word9 = [
    "fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", "", "smep", "bmi2", "erms",
    "invpcid", "rtm", "cqm", "", "mpx", "rdt_a", "avx512f", "avx512dq", "rdseed", "adx", "smap",
    "avx512ifma", "", "clflushopt", "clwb", "intel_pt", "avx512pf", "avx512er", "avx512cd",
    "sha_ni", "avx512bw", "avx512vl",
  ]
  static let word10 = ["xsaveopt", "xsavec", "xgetbv1", "xsaves"]
  static let word16 = [
    "", "avx512vbmi", "umip", "pku", "ospke", "waitpkg", "avx512_vbmi2", "", "gfni", "vaes",
    "vpclmulqdq", "avx512_vnni", "avx512_bitalg", "tme", "avx512_vpopcntdq", "", "la57", "",
    "", "", "", "", "rdpid", "", "bus_lock_detect", "cldemote", "", "movdiri", "movdir64b",
    "enqcmd", "sgx_lc", "",
  ]

  static func names(_ leaves: CPUReport.Leaves) -> [String] {
    let words: [(UInt32, [String])] = [
      (leaves.features.edx, word0), (leaves.extendedFeatures.edx, word1),
      (leaves.features.ecx, word4), (leaves.extendedFeatures.ecx, word6),
      (leaves.structured.ebx, word9), (leaves.xsave.eax, word10),
      (leaves.structured.ecx, word16),
    ]
    var names: [String] = []
    for (bits, table) in words {
      for (bit, name) in table.enumerated() where !name.isEmpty && bits >> UInt32(bit) & 1 != 0 {
        names.append(name)
      }
    }
    return names
  }
}
