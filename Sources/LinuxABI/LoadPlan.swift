#if canImport(KernelMemory)
  import KernelMemory
#endif

/// One `PT_LOAD` segment as the kernel maps it: page-aligned, with the bytes to copy in.
///
/// The pages `[pages.start, pages.end)` are reserved with `protection`; the file bytes
/// `[fileOffset, fileOffset + fileLength)` go to `pages.start` (the offset was rounded down with
/// the address, which `p_vaddr ≡ p_offset (mod page)` makes consistent); everything after them
/// up to the end of the pages — the bss and the rest of the last page — reads as zero.
public struct LoadSegment: Equatable, Sendable {
  /// The pages the segment covers, load bias applied.
  public var pages: VirtualRange
  /// What the process may do there (never write and execute together).
  public var protection: Protection
  /// Where in the file the bytes for `pages.start` begin.
  public var fileOffset: UInt64
  /// How many file bytes to copy (the rest is zero).
  public var fileLength: UInt64
  /// How many bytes from `pages.start` the segment covers (`fileLength` plus its bss): when
  /// it is more than `fileLength`, the rest of the page holding the file part's end must read
  /// as zero (Linux clears it, `padzero`), so that page cannot map the file's page as it is.
  public var memoryLength: UInt64
}

/// The `PT_TLS` template the C library sets up itself (via `arch_prctl(ARCH_SET_FS)`): the
/// kernel only checks it and reports it.
public struct ThreadLocalTemplate: Equatable, Sendable {
  public var address: UInt64
  public var fileSize: UInt64
  public var memorySize: UInt64
  public var alignment: UInt64
}

/// How to load an ELF64 x86-64 executable (static, static PIE, or dynamically linked — then
/// naming its interpreter) or an interpreter itself: validated segments, entry point, what the
/// aux vector reports, and where the heap starts.
///
/// Built only from a file that passed every check, so a hostile file is refused with one clear
/// `ELFError` before anything is mapped.
public struct LoadPlan: Equatable, Sendable {
  /// Where a static PIE (`ET_DYN`) is placed, as Linux's `ELF_ET_DYN_BASE` (2/3 of 128 TiB).
  public static let dynamicBase: UInt64 = 0x5555_5555_4000
  /// The largest `p_align` accepted (a static PIE is aligned to it).
  public static let maximumAlignment: UInt64 = 1 << 30

  /// The `PT_LOAD` segments in ascending address order; a later one wins on a shared page.
  public var segments: [LoadSegment] = []
  /// The entry point (`e_entry` + bias).
  public var entry: UInt64 = 0
  /// What was added to every `p_vaddr` (0 for `ET_EXEC`).
  public var loadBias: UInt64 = 0
  /// Where the program headers are in memory (`AT_PHDR`), or 0 when no segment holds them.
  public var programHeadersAddress: UInt64 = 0
  /// `e_phnum` (`AT_PHNUM`).
  public var programHeaderCount: Int = 0
  /// The first page above every segment: where the `brk` heap starts.
  public var heapStart: UInt64 = 0
  /// The `PT_TLS` template, if any.
  public var threadLocal: ThreadLocalTemplate?
  /// The program interpreter `PT_INTERP` names (the dynamic linker: glibc's
  /// `/lib64/ld-linux-x86-64.so.2`, musl's `/lib/ld-musl-x86_64.so.1`), without its NUL;
  /// nil for a static program.
  public var interpreterPath: [UInt8]?
  /// Where the interpreter was loaded (`AT_BASE`: its load bias), 0 without one; set by the
  /// loader once it has placed the interpreter.
  public var interpreterBase: UInt64 = 0

  /// `PATH_MAX`: the longest `PT_INTERP` Linux reads.
  public static let maximumInterpreterPath: UInt64 = 4096

  /// Validates `file` and plans its loading.
  public init(file: ELFBytes, dynamicBase: UInt64 = LoadPlan.dynamicBase) throws(ELFError) {
    let header = try ELFHeader(file)
    var programHeaders: [ProgramHeader] = []
    for index in 0..<header.programHeaderCount {
      programHeaders.append(try header.programHeader(index, in: file))
    }
    let loads = programHeaders.filter { $0.type == ELF.segmentLoad && $0.memorySize != 0 }
    guard !loads.isEmpty else { throw .malformed("no PT_LOAD segment") }
    for programHeader in programHeaders {
      try Self.checkNonLoad(programHeader)
    }
    for load in loads { try Self.checkLoad(load, in: file) }
    if header.type == ELF.typeShared {
      loadBias = try Self.bias(for: loads, base: dynamicBase)
    }
    programHeaderCount = header.programHeaderCount
    var previousEnd: UInt64 = 0
    for load in loads {
      let segment = try makeSegment(load)
      guard load.virtualAddress &+ loadBias >= previousEnd else {
        throw .malformed("PT_LOAD segments overlap or are not in ascending p_vaddr order")
      }
      previousEnd = load.virtualAddress &+ loadBias &+ load.memorySize
      segments.append(segment)
    }
    heapStart = segments.last!.pages.end
    entry = try checkedEntry(header.entry)
    programHeadersAddress = Self.headersAddress(header, programHeaders, bias: loadBias)
    if let interpreter = programHeaders.first(where: { $0.type == ELF.segmentInterpreter }) {
      interpreterPath = try Self.interpreterPath(interpreter, in: file)
    }
    threadLocal = programHeaders.first { $0.type == ELF.segmentThreadLocal }.map {
      ThreadLocalTemplate(
        address: $0.virtualAddress &+ loadBias, fileSize: $0.fileSize,
        memorySize: $0.memorySize, alignment: $0.alignment)
    }
  }

  /// The checks on `PT_INTERP`, `PT_GNU_STACK` and `PT_TLS`.
  static func checkNonLoad(_ header: ProgramHeader) throws(ELFError) {
    switch header.type {
    case ELF.segmentGNUStack where header.flags & ELF.flagExecute != 0:
      throw .unsupported("PT_GNU_STACK asks for an executable stack (never mapped W+X)")
    case ELF.segmentThreadLocal:
      guard header.fileSize <= header.memorySize else {
        throw .malformed("PT_TLS p_filesz exceeds p_memsz")
      }
      guard header.alignment & (header.alignment &- 1) == 0 else {
        throw .malformed("PT_TLS p_align is not a power of two")
      }
    default:
      return
    }
  }

  /// The path `PT_INTERP` names, checked as Linux's `load_elf_binary` does (ENOEXEC): 2 to
  /// `PATH_MAX` bytes inside the file, the last one NUL; the path is what precedes the first
  /// NUL (the kernel reads it as a C string).
  static func interpreterPath(_ header: ProgramHeader, in file: ELFBytes) throws(ELFError)
    -> [UInt8]
  {
    guard header.fileSize >= 2, header.fileSize <= maximumInterpreterPath else {
      throw .malformed("PT_INTERP p_filesz is not between 2 and PATH_MAX")
    }
    guard file.contains(offset: header.offset, length: header.fileSize) else {
      throw .truncated("PT_INTERP p_offset + p_filesz beyond the file")
    }
    let bytes = UnsafeRawBufferPointer(
      rebasing: file.bytes[Int(header.offset)..<Int(header.offset + header.fileSize)])
    guard bytes.last == 0 else { throw .malformed("PT_INTERP is not NUL-terminated") }
    return Array(bytes.prefix { $0 != 0 })
  }

  /// The bytes of user address space the segments span, from the lowest segment's first
  /// page to the end of the highest: what the interpreter needs free in one piece.
  public var span: UInt64 { segments.last!.pages.end - segments.first!.pages.start }

  /// The largest `p_align` of the segments (at least a page): where the interpreter may go.
  public static func alignment(of file: ELFBytes) -> UInt64 {
    guard let header = try? ELFHeader(file) else { return PageSize.size4KiB.bytes }
    var alignment = PageSize.size4KiB.bytes
    for index in 0..<header.programHeaderCount {
      guard let load = try? header.programHeader(index, in: file), load.type == ELF.segmentLoad
      else { continue }
      alignment = max(alignment, load.alignment)
    }
    return alignment
  }

  /// The checks on one `PT_LOAD` header on its own.
  static func checkLoad(_ load: ProgramHeader, in file: ELFBytes) throws(ELFError) {
    let pageMask = PageSize.size4KiB.offsetMask
    guard load.fileSize <= load.memorySize else {
      throw .malformed("PT_LOAD p_filesz exceeds p_memsz")
    }
    guard file.contains(offset: load.offset, length: load.fileSize) else {
      throw .truncated("PT_LOAD p_offset + p_filesz beyond the file")
    }
    guard load.alignment & (load.alignment &- 1) == 0 else {
      throw .malformed("PT_LOAD p_align is not a power of two")
    }
    guard load.alignment <= maximumAlignment else {
      throw .unsupported("PT_LOAD p_align above 1 GiB")
    }
    guard load.virtualAddress & pageMask == load.offset & pageMask else {
      throw .malformed("PT_LOAD p_vaddr and p_offset differ modulo the page size")
    }
    let protection = load.protection
    guard !(protection.contains(.write) && protection.contains(.execute)) else {
      throw .unsupported("PT_LOAD is writable and executable (never mapped W+X)")
    }
    guard !load.virtualAddress.addingReportingOverflow(load.memorySize).overflow else {
      throw .malformed("PT_LOAD p_vaddr + p_memsz overflows")
    }
  }

  /// The bias placing a static PIE's lowest page at `base` rounded up to its largest alignment.
  static func bias(for loads: [ProgramHeader], base: UInt64) throws(ELFError) -> UInt64 {
    let pageMask = PageSize.size4KiB.offsetMask
    let lowest = loads.map { $0.virtualAddress & ~pageMask }.min()!
    let alignment = max(PageSize.size4KiB.bytes, loads.map { $0.alignment }.max()!)
    let start = (base + alignment - 1) & ~(alignment - 1)
    guard lowest < UserLayout.end else { throw .malformed("ET_DYN p_vaddr beyond user space") }
    return start &- lowest
  }

  /// The page-aligned segment for `load`, checked to lie in user space.
  func makeSegment(_ load: ProgramHeader) throws(ELFError) -> LoadSegment {
    let pageMask = PageSize.size4KiB.offsetMask
    let start = load.virtualAddress &+ loadBias
    let (end, overflow) = start.addingReportingOverflow(load.memorySize)
    guard !overflow, start >= UserLayout.minimumAddress, end <= UserLayout.end else {
      throw .malformed("PT_LOAD at " + hex(start) + " is outside user space")
    }
    let pageStart = start & ~pageMask
    let pageEnd = (end + pageMask) & ~pageMask
    let inPage = start - pageStart
    return LoadSegment(
      pages: VirtualRange(uncheckedStart: pageStart, end: pageEnd), protection: load.protection,
      fileOffset: load.offset - inPage, fileLength: inPage + load.fileSize,
      memoryLength: inPage + load.memorySize)
  }

  /// The biased entry point, which must be in an executable segment.
  func checkedEntry(_ entry: UInt64) throws(ELFError) -> UInt64 {
    let address = entry &+ loadBias
    guard
      segments.contains(where: {
        $0.pages.contains(address) && $0.protection.contains(.execute)
      })
    else { throw .malformed("e_entry " + hex(address) + " is not in an executable segment") }
    return address
  }

  /// `AT_PHDR`: `PT_PHDR`'s address, else where a `PT_LOAD` maps the headers' file bytes.
  static func headersAddress(
    _ header: ELFHeader, _ programHeaders: [ProgramHeader], bias: UInt64
  ) -> UInt64 {
    if let table = programHeaders.first(where: { $0.type == ELF.segmentProgramHeaders }) {
      return table.virtualAddress &+ bias
    }
    let length = UInt64(header.programHeaderCount * ELF.programHeaderSize)
    for load in programHeaders where load.type == ELF.segmentLoad {
      if header.programHeaderOffset >= load.offset,
        header.programHeaderOffset + length <= load.offset + load.fileSize
      {
        return load.virtualAddress &+ bias &+ (header.programHeaderOffset - load.offset)
      }
    }
    return 0
  }
}
