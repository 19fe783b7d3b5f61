import KernelSupport

/// Why a program could not be started; the kernel reports it in one line and goes on.
enum LoadFailure: Error {
  case invalidProgram(ELFError)
  case addressSpace(AddressSpaceError)
  case pageTables(PageMapError)
  case copyFaulted

  var description: String {
    switch self {
    case .invalidProgram(let error): return error.description
    case .addressSpace(let error):
      return "cannot reserve its memory (errno " + String(error.errno.rawValue) + ")"
    case .pageTables: return "out of frames for page tables"
    case .copyFaulted: return "copying the program into memory faulted"
    }
  }
}

/// Loads a static ELF64 program into a fresh address space (LinuxABI's `LoadPlan` says what;
/// this carries it out on the real MMU).
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
    let space = try newAddressSpace()
    Processor.current.process!.addressSpace = space
    Processor.current.activate(space)
    return try populate(
      space, plan: plan, file: file, arguments: arguments,
      environment: environment.map { Array($0.utf8) })
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
    _ space: ProcessAddressSpace, plan: LoadPlan, file: ELFBytes, arguments: [[UInt8]],
    environment: [[UInt8]]
  ) throws(LoadFailure) -> (entry: UInt64, stackPointer: UInt64) {
    for segment in plan.segments { try map(segment, from: file, into: space) }
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
        random: (RandomSource.next(), RandomSource.next())))
    do { try UserMemory.copyOut(stack.bytes, to: stack.stackPointer) } catch {
      throw .copyFaulted
    }
    return (plan.entry, stack.stackPointer)
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
