import KernelSupport

/// Why a program could not be started; the kernel reports it in one line and goes on.
enum LoadFailure: Error {
  case invalidProgram(ELFError)
  case addressSpace(AddressSpaceError)
  case pageTables(PageMapError)
  case copyFaulted
  /// The interpreter `PT_INTERP` names cannot be opened (its errno: ENOENT, EACCES…) or is no
  /// ELF file it can load (ELIBBAD).
  case interpreter([UInt8], LinuxErrno)

  var description: String {
    switch self {
    case .invalidProgram(let error): return error.description
    case .addressSpace(let error):
      return "cannot reserve its memory (errno " + String(error.errno.rawValue) + ")"
    case .pageTables: return "out of frames for page tables"
    case .copyFaulted: return "copying the program into memory faulted"
    case .interpreter(let path, let errno):
      return "cannot load its interpreter " + String(decoding: path, as: UTF8.self) + " (errno "
        + String(errno.rawValue) + ")"
    }
  }
}

/// Loads an ELF64 program into a fresh address space (LinuxABI's `LoadPlan` says what;
/// this carries it out on the real MMU) — and, for a dynamically linked one, its interpreter
/// (`PT_INTERP`: `mapInterpreter`), where the process then starts, told the interpreter's
/// base in `AT_BASE` and the program's entry in `AT_ENTRY`; the interpreter maps the
/// libraries itself (`mmap` of files).
///
/// Each `PT_LOAD` segment's file part is mapped privately from the file's page cache
/// (`PageCache`: pages filled on first touch, shared by every process running the program,
/// copied on write); the bss is anonymous memory, unbacked until touched; then the segment
/// gets its real protection. A file the cache cannot take is copied in instead. The stack is reserved with a
/// guard page below it, the heap starts at the page after the highest segment, and the initial
/// stack (argv, envp, auxv) is copied to the top of the stack.
enum ProgramLoader {
  /// The environment every program gets.
  static let environment = ["PATH=/bin", "HOME=/", "TERM=linux"]

  /// Creates the address space of the CPU's current process (it becomes the CPU's current
  /// space and CR3) and loads the program; returns the entry point and initial stack pointer.
  static func load(_ file: ELFBytes, arguments: [[UInt8]]) throws(LoadFailure) -> (
    entry: UInt64, stackPointer: UInt64
  ) {
    let plan = try self.plan(for: file)
    let interpreter: ELFBytes?
    do throws(LinuxErrno) { interpreter = try self.interpreter(of: plan) } catch {
      throw .interpreter(plan.interpreterPath ?? [], error)
    }
    let space = try newAddressSpace()
    Processor.current.process!.addressSpace = space
    Processor.current.activate(space)
    return try populate(
      space, plan: plan, file: file, interpreter: interpreter, arguments: arguments,
      environment: environment.map { Array($0.utf8) })
  }

  /// The interpreter a dynamically linked program names (`PT_INTERP`), opened as Linux's
  /// `open_exec` opens it (ENOENT when it is missing, EACCES when it is no executable regular
  /// file), its header read (EIO when the file is shorter than one, as `elf_read`'s short
  /// read) and checked as an ELF file it can load (ELIBBAD otherwise) — before anything
  /// changes; nil for a static program.
  static func interpreter(of plan: LoadPlan) throws(LinuxErrno) -> ELFBytes? {
    guard let path = plan.interpreterPath else { return nil }
    let opened = try ExecutableFile.open(
      directory: UInt64(bitPattern: Int64(OpenFlags.currentDirectory)), path: path,
      emptyPath: false, follow: true, name: path)
    let file = ELFBytes(opened.bytes)
    guard file.count >= UInt64(ELF.headerSize) else { throw .EIO }
    do { _ = try LoadPlan(file: file) } catch { throw .ELIBBAD }
    return file
  }

  /// Maps the interpreter where Linux's `load_elf_interp` puts an `ET_DYN` one: as one
  /// mapping anywhere (`mmap`'s top-down choice, below the stack), its largest alignment
  /// kept; an `ET_EXEC` one at its own addresses. Returns its plan, whose `loadBias` is
  /// `AT_BASE` and whose `entry` is where the process starts.
  static func mapInterpreter(_ file: ELFBytes, into space: ProcessAddressSpace)
    throws(LoadFailure) -> LoadPlan
  {
    var plan = try self.plan(for: file)
    if plan.loadBias != 0 {
      let alignment = LoadPlan.alignment(of: file)
      let slack = alignment - PageSize.size4KiB.bytes
      let base: UInt64
      do throws(AddressSpaceError) {
        let room = try space.reserve(
          length: plan.span + slack, protection: .none, kind: .anonymous, at: .anywhere)
        try space.release(start: room.start, length: room.length)
        base = (room.start + slack) & ~(alignment - 1)
      } catch { throw .addressSpace(error) }
      do { plan = try LoadPlan(file: file, dynamicBase: base) } catch {
        throw .invalidProgram(error)
      }
    }
    for segment in plan.segments { try map(segment, from: file, into: space) }
    return plan
  }

  /// What `file` asks to be mapped; a malformed or unsupported ELF is refused here, before
  /// anything changes (execve's ENOEXEC).
  static func plan(for file: ELFBytes) throws(LoadFailure) -> LoadPlan {
    do { return try LoadPlan(file: file) } catch { throw .invalidProgram(error) }
  }

  /// Maps `plan`'s segments, the stack and the heap into `space` — which must be the CPU's
  /// current space: the file bytes and the initial stack (argv, envp, auxv) go in through the
  /// user-copy routine — and returns the entry point and initial stack pointer.
  static func populate(
    _ space: ProcessAddressSpace, plan programPlan: LoadPlan, file: ELFBytes,
    interpreter: ELFBytes?, arguments: [[UInt8]], environment: [[UInt8]]
  ) throws(LoadFailure) -> (entry: UInt64, stackPointer: UInt64) {
    var plan = programPlan
    for segment in plan.segments { try map(segment, from: file, into: space) }
    var entry = plan.entry
    if let interpreter {
      let loaded = try mapInterpreter(interpreter, into: space)
      plan.interpreterBase = loaded.loadBias
      entry = loaded.entry
    }
    Processor.current.process?.program = ProgramRecord(
      file: FileContents(file.bytes), arguments: arguments, environment: environment)
    do throws(AddressSpaceError) {
      _ = try space.reserveStack()
      try space.setUpHeap(at: plan.heapStart)
    } catch {
      throw .addressSpace(error)
    }
    let stack = InitialStack(
      top: UserLayout.stackTop, argumentBytes: arguments, environmentBytes: environment,
      plan: plan,
      identity: ProcessIdentity(
        hardwareCapabilities: UInt64(cpu_identify(1, 0).edx),
        random: (Machine.current.random.next(), Machine.current.random.next())))
    do { try UserMemory.copyOut(stack.bytes, to: stack.stackPointer) } catch {
      throw .copyFaulted
    }
    return (entry, stack.stackPointer)
  }

  /// A new, empty address space sharing the kernel's part (not yet anyone's, not active).
  static func newAddressSpace() throws(LoadFailure) -> ProcessAddressSpace {
    let physical = ProcessRunner.physical
    let pageMap: PageMap<DirectMap>
    do {
      pageMap = try PageMap(sharingKernelPartOf: MemoryManager.kernelMap!, frames: &physical.frames)
    } catch { throw .pageTables(error) }
    return ProcessAddressSpace(pageMap: pageMap, tlb: HardwareTLB(), physical: physical)
  }

  /// Maps one segment: its file part from the page cache (`mapFromCache`) or, when the
  /// file cannot be cached, copied in (`copyIn`); then sets its protection.
  static func map(_ segment: LoadSegment, from file: ELFBytes, into space: ProcessAddressSpace)
    throws(LoadFailure)
  {
    let pageMask = PageSize.size4KiB.offsetMask
    if segment.fileLength > 0, segment.fileOffset & pageMask == 0,
      let object = space.cachedFile(FileContents(file.bytes))
    {
      try mapFromCache(segment, object: object, into: space)
    } else {
      try copyIn(segment, from: file, into: space)
    }
    do throws(AddressSpaceError) {
      try space.protect(
        start: segment.pages.start, length: segment.pages.length,
        protection: segment.protection)
    } catch { throw .addressSpace(error) }
  }

  /// Maps the pages holding the segment's file part privately from the file's page cache
  /// (Linux's `elf_map`: the same frames for every process running the program, copied only
  /// when written), the rest of its pages — the bss — as anonymous memory. When the bss starts
  /// inside the last file page, the rest of that page is zeroed through the user-copy routine
  /// (Linux's `padzero`), which gives this process a private copy of that one page.
  static func mapFromCache(
    _ segment: LoadSegment, object: MemoryObjectID, into space: ProcessAddressSpace
  ) throws(LoadFailure) {
    let pageMask = PageSize.size4KiB.offsetMask
    let fileEnd = segment.pages.start + segment.fileLength
    let filePagesEnd = (fileEnd + pageMask) & ~pageMask
    do throws(AddressSpaceError) {
      _ = try space.reservePrivateMapping(
        of: object, page: segment.fileOffset >> PageSize.size4KiB.shift,
        length: filePagesEnd - segment.pages.start, protection: [.read, .write],
        at: .fixed(segment.pages.start))
      if filePagesEnd < segment.pages.end {
        _ = try space.reserve(
          length: segment.pages.end - filePagesEnd, protection: [.read, .write],
          kind: .anonymous, at: .fixed(filePagesEnd))
      }
    } catch { throw .addressSpace(error) }
    guard segment.memoryLength > segment.fileLength, fileEnd != filePagesEnd else { return }
    let zeros = [UInt8](repeating: 0, count: Int(filePagesEnd - fileEnd))
    do { try UserMemory.copyOut(zeros, to: fileEnd) } catch { throw .copyFaulted }
  }

  /// Reserves one segment and copies its file bytes in (a file the page cache cannot take).
  static func copyIn(_ segment: LoadSegment, from file: ELFBytes, into space: ProcessAddressSpace)
    throws(LoadFailure)
  {
    do throws(AddressSpaceError) {
      _ = try space.reserve(
        length: segment.pages.length, protection: [.read, .write], kind: .anonymous,
        at: .fixed(segment.pages.start))
    } catch { throw .addressSpace(error) }
    if segment.fileLength > 0 {
      let source = file.bytes.baseAddress! + Int(segment.fileOffset)
      do {
        try UserMemory.copyOut(source, count: Int(segment.fileLength), to: segment.pages.start)
      } catch { throw .copyFaulted }
    }
  }
}
