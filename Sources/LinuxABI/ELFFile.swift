#if canImport(KernelMemory)
  import KernelMemory
#endif

/// A read-only view of an ELF64 file's bytes with bounds-checked little-endian reads.
///
/// The file is untrusted: every read checks its range first and reports `.truncated`.
public struct ELFBytes {
  /// The file contents.
  public let bytes: UnsafeRawBufferPointer

  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  /// The file's size in bytes.
  public var count: UInt64 { UInt64(bytes.count) }

  /// Whether `[offset, offset + length)` lies inside the file (no overflow).
  public func contains(offset: UInt64, length: UInt64) -> Bool {
    let (end, overflow) = offset.addingReportingOverflow(length)
    return !overflow && end <= count
  }

  func read<T: FixedWidthInteger>(_: T.Type, at offset: UInt64, _ what: String)
    throws(ELFError) -> T
  {
    guard contains(offset: offset, length: UInt64(MemoryLayout<T>.size)) else {
      throw .truncated(what)
    }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: Int(offset), as: T.self))
  }
}

/// One program header (`Elf64_Phdr`), as read from the file.
public struct ProgramHeader: Equatable, Sendable {
  /// `p_type`: `ELF.segmentLoad`, `ELF.segmentThreadLocal`, …
  public var type: UInt32
  /// `p_flags`: `ELF.flagRead`, `ELF.flagWrite`, `ELF.flagExecute`.
  public var flags: UInt32
  /// `p_offset`: where the segment's bytes start in the file.
  public var offset: UInt64
  /// `p_vaddr`: where they go in memory (before any load bias).
  public var virtualAddress: UInt64
  /// `p_filesz`: bytes taken from the file.
  public var fileSize: UInt64
  /// `p_memsz`: bytes in memory (the rest, the bss, is zero).
  public var memorySize: UInt64
  /// `p_align`: 0, 1 or a power of two.
  public var alignment: UInt64

  public init(
    type: UInt32, flags: UInt32, offset: UInt64, virtualAddress: UInt64, fileSize: UInt64,
    memorySize: UInt64, alignment: UInt64
  ) {
    self.type = type
    self.flags = flags
    self.offset = offset
    self.virtualAddress = virtualAddress
    self.fileSize = fileSize
    self.memorySize = memorySize
    self.alignment = alignment
  }

  /// The protection its `p_flags` ask for.
  public var protection: Protection {
    var protection: Protection = []
    if flags & ELF.flagRead != 0 { protection.insert(.read) }
    if flags & ELF.flagWrite != 0 { protection.insert(.write) }
    if flags & ELF.flagExecute != 0 { protection.insert(.execute) }
    return protection
  }
}

/// The ELF header fields the loader uses, validated (`Elf64_Ehdr`).
public struct ELFHeader: Equatable, Sendable {
  /// `e_type`: `ELF.typeExecutable` or `ELF.typeShared`.
  public var type: UInt16
  /// `e_entry`, before any load bias.
  public var entry: UInt64
  /// `e_phoff`.
  public var programHeaderOffset: UInt64
  /// `e_phnum`.
  public var programHeaderCount: Int

  /// Reads and checks the identification and every header field used.
  public init(_ file: ELFBytes) throws(ELFError) {
    guard file.count >= UInt64(ELF.headerSize) else { throw .truncated("shorter than its header") }
    for (index, byte) in ELF.magic.enumerated() where file.bytes[index] != byte {
      throw .badMagic
    }
    guard file.bytes[ELF.classIndex] == ELF.class64 else { throw .unsupported("not ELFCLASS64") }
    guard file.bytes[ELF.dataIndex] == ELF.dataLittleEndian else {
      throw .unsupported("not little-endian (EI_DATA)")
    }
    guard file.bytes[ELF.versionIndex] == ELF.currentVersion else {
      throw .unsupported("EI_VERSION is not EV_CURRENT")
    }
    type = try file.read(UInt16.self, at: UInt64(ELF.HeaderOffset.type), "e_type")
    guard type == ELF.typeExecutable || type == ELF.typeShared else {
      throw .unsupported("e_type " + String(type) + " is neither ET_EXEC nor ET_DYN")
    }
    let machine = try file.read(UInt16.self, at: UInt64(ELF.HeaderOffset.machine), "e_machine")
    guard machine == ELF.machineX86_64 else {
      throw .unsupported("e_machine " + String(machine) + " is not EM_X86_64")
    }
    let version = try file.read(UInt32.self, at: UInt64(ELF.HeaderOffset.version), "e_version")
    guard version == UInt32(ELF.currentVersion) else { throw .unsupported("e_version is not 1") }
    entry = try file.read(UInt64.self, at: UInt64(ELF.HeaderOffset.entry), "e_entry")
    programHeaderOffset = try file.read(
      UInt64.self, at: UInt64(ELF.HeaderOffset.programHeaderOffset), "e_phoff")
    let entrySize = try file.read(
      UInt16.self, at: UInt64(ELF.HeaderOffset.programHeaderEntrySize), "e_phentsize")
    guard entrySize == UInt16(ELF.programHeaderSize) else {
      throw .malformed("e_phentsize " + String(entrySize) + " is not 56")
    }
    let count = try file.read(
      UInt16.self, at: UInt64(ELF.HeaderOffset.programHeaderCount), "e_phnum")
    guard count > 0, Int(count) <= ELF.maximumProgramHeaders else {
      throw .malformed("e_phnum " + String(count) + " is out of range 1...128")
    }
    programHeaderCount = Int(count)
    guard
      file.contains(
        offset: programHeaderOffset, length: UInt64(count) * UInt64(ELF.programHeaderSize))
    else { throw .truncated("program headers (e_phoff + e_phnum * 56) beyond the file") }
  }

  /// Program header `index` (bounds were checked by `init`).
  public func programHeader(_ index: Int, in file: ELFBytes) throws(ELFError) -> ProgramHeader {
    let base = programHeaderOffset + UInt64(index * ELF.programHeaderSize)
    typealias Field = ELF.ProgramHeaderOffset
    return ProgramHeader(
      type: try file.read(UInt32.self, at: base + UInt64(Field.type), "p_type"),
      flags: try file.read(UInt32.self, at: base + UInt64(Field.flags), "p_flags"),
      offset: try file.read(UInt64.self, at: base + UInt64(Field.offset), "p_offset"),
      virtualAddress: try file.read(
        UInt64.self, at: base + UInt64(Field.virtualAddress), "p_vaddr"),
      fileSize: try file.read(UInt64.self, at: base + UInt64(Field.fileSize), "p_filesz"),
      memorySize: try file.read(UInt64.self, at: base + UInt64(Field.memorySize), "p_memsz"),
      alignment: try file.read(UInt64.self, at: base + UInt64(Field.alignment), "p_align"))
  }
}
