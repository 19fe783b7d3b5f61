/// What the boot loader tells the kernel: the Multiboot (v1) information structure
/// (Multiboot Specification 0.6.96, §3.3), copied into kernel memory so nothing refers back to
/// the loader's memory after boot.
struct MultibootInformation {
  /// EAX at entry when a Multiboot loader started the kernel.
  static let bootloaderMagic: UInt32 = 0x2bad_b002

  /// `flags` bits saying which fields are valid.
  enum Flag {
    static let memoryBounds: UInt32 = 1 << 0
    static let commandLine: UInt32 = 1 << 2
    static let modules: UInt32 = 1 << 3
    static let memoryMap: UInt32 = 1 << 6
    static let bootLoaderName: UInt32 = 1 << 9
  }

  /// Byte offsets of the fields in the structure.
  enum Offset {
    static let flags = 0
    static let commandLine = 16
    static let moduleCount = 20
    static let moduleAddress = 24
    static let memoryMapLength = 44
    static let memoryMapAddress = 48
    static let bootLoaderName = 64
    static let structureSize = 88
  }

  /// A module loaded with the kernel (`-initrd` in QEMU).
  struct Module {
    var range: PhysicalRange
    var name: String
  }

  var commandLine = ""
  var bootLoaderName = ""
  var memoryMap: [MemoryMapEntry] = []
  var modules: [Module] = []
  /// The loader's memory the kernel read from: reserved until the frame bitmap exists.
  var bootData: [PhysicalRange] = []

  /// Reads the structure at physical `address` through the direct map.
  init(physicalAddress address: UInt64) {
    bootData.append(PhysicalRange(start: address, length: UInt64(Offset.structureSize)))
    let flags = MultibootInformation.word(address, Offset.flags)
    if flags & Flag.commandLine != 0 {
      commandLine = readString(UInt64(MultibootInformation.word(address, Offset.commandLine)))
    }
    if flags & Flag.bootLoaderName != 0 {
      bootLoaderName = readString(UInt64(MultibootInformation.word(address, Offset.bootLoaderName)))
    }
    if flags & Flag.memoryMap != 0 {
      readMemoryMap(
        at: UInt64(MultibootInformation.word(address, Offset.memoryMapAddress)),
        length: UInt64(MultibootInformation.word(address, Offset.memoryMapLength)))
    }
    if flags & Flag.modules != 0 {
      readModules(
        at: UInt64(MultibootInformation.word(address, Offset.moduleAddress)),
        count: Int(MultibootInformation.word(address, Offset.moduleCount)))
    }
  }

  /// Memory-map entries: `size` (not counting itself), then base, length, type.
  private mutating func readMemoryMap(at address: UInt64, length: UInt64) {
    bootData.append(PhysicalRange(start: address, length: length))
    var cursor = address
    while cursor < address + length {
      let entrySize = UInt64(MultibootInformation.word(cursor, 0))
      let base = MultibootInformation.doubleWord(cursor, 4)
      let bytes = MultibootInformation.doubleWord(cursor, 12)
      let type = MultibootInformation.word(cursor, 20)
      memoryMap.append(
        MemoryMapEntry(start: base, length: bytes, kind: MemoryRegionKind(firmwareType: type)))
      cursor += entrySize + 4
    }
  }

  /// Module entries: start, end, string, reserved (16 bytes each).
  private mutating func readModules(at address: UInt64, count: Int) {
    let moduleEntrySize: UInt64 = 16
    guard count > 0 else { return }
    bootData.append(PhysicalRange(start: address, length: UInt64(count) * moduleEntrySize))
    for index in 0..<UInt64(count) {
      let entry = address + index * moduleEntrySize
      let start = UInt64(MultibootInformation.word(entry, 0))
      let end = UInt64(MultibootInformation.word(entry, 4))
      let name = readString(UInt64(MultibootInformation.word(entry, 8)))
      modules.append(Module(range: PhysicalRange(start: start, end: end), name: name))
    }
  }

  /// A NUL-terminated string in loader memory; records its bytes as boot data.
  private mutating func readString(_ address: UInt64) -> String {
    let pointer = DirectMap.pointer(PhysicalAddress(address)!).assumingMemoryBound(to: UInt8.self)
    var length = 0
    while pointer[length] != 0 { length += 1 }
    bootData.append(PhysicalRange(start: address, length: UInt64(length + 1)))
    return String(decoding: UnsafeBufferPointer(start: pointer, count: length), as: UTF8.self)
  }

  private static func word(_ address: UInt64, _ offset: Int) -> UInt32 {
    DirectMap.pointer(PhysicalAddress(address + UInt64(offset))!).loadUnaligned(as: UInt32.self)
  }

  private static func doubleWord(_ address: UInt64, _ offset: Int) -> UInt64 {
    DirectMap.pointer(PhysicalAddress(address + UInt64(offset))!).loadUnaligned(as: UInt64.self)
  }
}
