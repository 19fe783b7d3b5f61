import KernelSupport

/// One thread's kernel stack: `pages` frames mapped in its slot of the kernel stack area, with
/// the slot's lowest page left unmapped as a guard (an overflow faults, and the double-fault
/// handler, on its own IST stack, reports it). The top `fpuAreaBytes` hold the thread's FXSAVE
/// area; the stack proper ends below it.
struct KernelStack {
  /// The slot's index in the area, and the address range of the mapped pages.
  let slot: Int
  let bottom: UInt64
  let end: UInt64

  /// FXSAVE/FXRSTOR's area: 512 bytes, 16-aligned (SDM Vol. 1 §10.5.1).
  static let fpuAreaBytes: UInt64 = 512

  /// The thread's FXSAVE area, at the very top of its stack mapping.
  @inline(__always)
  var fpuArea: UnsafeMutableRawPointer {
    UnsafeMutableRawPointer(bitPattern: UInt(end - Self.fpuAreaBytes))!
  }

  /// The first byte above the stack: TSS.RSP0 and the SYSCALL entry's stack pointer.
  var top: UInt64 { end - Self.fpuAreaBytes }
}

/// The kernel virtual area every kernel stack lives in, PML4 slot 448 of the upper half (which
/// every address space shares: `KernelAddressSpace` gives each upper slot its PDPT at boot).
///
/// | slot n at `base + n × slotBytes` | what                                   |
/// |----------------------------------|----------------------------------------|
/// | first page                       | guard, never mapped                    |
/// | next `stackPages` pages          | the stack (top 512 bytes: FXSAVE area) |
/// | rest of the slot                 | never mapped                           |
///
/// `prepareTables` creates the page tables of all `slotCount` slots once, before the first
/// process, so they count in the boot baseline of frame accounting and never change after:
/// mapping and unmapping a stack only writes leaf entries (the core never frees upper-half
/// tables). A stack's frames are charged to the commit ledger like a process's memory, so
/// `fork` refuses (ENOMEM) before the kernel's own reserve is touched.
///
/// Size: 64 KiB. `deepestUse` is measured at every stack's end and printed at the end of a run
/// (`[kernel] kernel stacks:`): a stack starts all zero, and at its end the scan goes down from
/// the top to the lowest non-zero word, stopping at a whole page of zeros below it (the used
/// part of a stack is contiguous; a page-sized zero local could only make the figure low).
///
/// Cache: a freed stack is zeroed down to that word and kept mapped (and charged) for the next
/// thread, up to `cacheLimit` of them — a fork then maps nothing, an exit unmaps nothing (the
/// map and unmap of 16 pages were a fifth of a fork + exit + wait). `drainCache` unmaps them
/// all at the end of a launch, before the frame check, so accounting stays exact.
///
/// LOCK: the scheduler lock (slots are taken and returned with it held).
struct KernelStackArea {
  static let base: UInt64 = 0xffff_e000_0000_0000
  static let stackPages: UInt64 = 16
  static let guardPages: UInt64 = 1
  static let slotBytes: UInt64 = 128 * 1024
  /// One stack per thread; one thread per process: the process limit.
  static let slotCount = Scheduler.processLimit

  /// Stacks kept mapped for reuse: at most this many (their frames and commit stay taken).
  static let cacheLimit = 32

  private var freeSlots: [Int] = Array((0..<slotCount).reversed())
  private var cache: [KernelStack] = []
  private(set) var tablesPrepared = false
  /// The deepest any stack has been used, in bytes (measured when a stack is freed).
  private(set) var deepestUse: UInt64 = 0
  /// Stacks in use now, and the most at once.
  private(set) var inUse = 0
  private(set) var mostInUse = 0

  /// Creates the page tables of the whole area (idempotent).
  mutating func prepareTables() {
    guard !tablesPrepared else { return }
    tablesPrepared = true
    let map = MemoryManager.kernelMap!
    var frames = MemoryManager.frames
    let tableSpan = PageSize.size2MiB.bytes
    let areaBytes = UInt64(Self.slotCount) * Self.slotBytes
    var address = Self.base
    while address < Self.base + areaBytes {
      do {
        _ = try map.locate(
          VirtualAddress(canonical: address), at: .pageTable,
          creatingWith: KernelAddressSpace.kernelIntermediateFlags, frames: &frames)
      } catch {
        Panic.halt("creating the kernel stack area's page tables: " + describe(error))
      }
      address += tableSpan
    }
  }

  /// A fresh, zeroed stack, or nil when no slot, commit or frame is left (the caller answers
  /// EAGAIN / ENOMEM). On failure nothing stays taken.
  mutating func allocate() -> KernelStack? {
    if let stack = cache.popLast() {
      inUse += 1
      mostInUse = max(mostInUse, inUse)
      return stack
    }
    guard let slot = freeSlots.popLast() else { return nil }
    let physical = MemoryManager.physical!
    guard physical.commit.charge(Self.stackPages) else {
      freeSlots.append(slot)
      return nil
    }
    let bottom = Self.base + UInt64(slot) * Self.slotBytes + Self.guardPages * pageBytes
    let stack = KernelStack(slot: slot, bottom: bottom, end: bottom + Self.stackPages * pageBytes)
    var mapped: UInt64 = 0
    while mapped < Self.stackPages {
      guard map(page: bottom + mapped * pageBytes) else {
        unmap(stack, pages: mapped)
        return nil
      }
      mapped += 1
    }
    inUse += 1
    mostInUse = max(mostInUse, inUse)
    return stack
  }

  /// Takes back a stack nothing runs on any more; records how deep it was used. It is zeroed
  /// for reuse and cached, or unmapped and freed when the cache is full.
  mutating func free(_ stack: KernelStack) {
    inUse -= 1
    let lowest = Self.lowestUsedWord(of: stack)
    deepestUse = max(deepestUse, lowest < stack.top ? stack.top - lowest : 0)
    guard cache.count < Self.cacheLimit else {
      unmap(stack, pages: Self.stackPages)
      return
    }
    memory_zero_quadwords(
      UnsafeMutableRawPointer(bitPattern: UInt(lowest))!, Int(stack.end - lowest) / wordBytes)
    cache.append(stack)
  }

  /// Unmaps and frees every cached stack (the end of a launch: nothing is left mapped).
  mutating func drainCache() {
    while let stack = cache.popLast() { unmap(stack, pages: Self.stackPages) }
  }

  private var wordBytes: Int { MemoryLayout<UInt64>.size }

  private var pageBytes: UInt64 { PageSize.size4KiB.bytes }

  private func map(page: UInt64) -> Bool {
    var frames = MemoryManager.frames
    guard let frame = frames.allocateFrame() else { return false }
    DirectMap().zero(frame)
    do {
      try MemoryManager.kernelMap!.map(
        VirtualAddress(canonical: page), to: frame, flags: KernelAddressSpace.dataFlags,
        frames: &frames)
    } catch {
      frames.releaseFrame(frame)
      return false
    }
    return true
  }

  /// Unmaps the first `pages` pages of `stack`, frees their frames, refunds the commit and
  /// the slot.
  private mutating func unmap(_ stack: KernelStack, pages: UInt64) {
    var frames = MemoryManager.frames
    for index in 0..<pages {
      let page = VirtualAddress(canonical: stack.bottom + index * pageBytes)
      guard let unmapped = try? MemoryManager.kernelMap!.unmap(page) else { continue }
      frames.releaseFrame(unmapped.flush(HardwareTLB(), returningTablesTo: &frames))
    }
    MemoryManager.physical!.commit.refund(Self.stackPages)
    freeSlots.append(stack.slot)
  }

  /// The address of the lowest non-zero word of `stack` (its FXSAVE area included), found
  /// going down from the top until a whole page of zeros lies below the lowest one so far.
  private static func lowestUsedWord(of stack: KernelStack) -> UInt64 {
    let wordBytes = UInt64(MemoryLayout<UInt64>.size)
    let pageBytes = PageSize.size4KiB.bytes
    var lowest = stack.end
    var address = stack.end
    while address > stack.bottom, address + pageBytes > lowest {
      address -= wordBytes
      if UnsafePointer<UInt64>(bitPattern: UInt(address))!.pointee != 0 { lowest = address }
    }
    return lowest
  }

  /// Whether `address` is in the guard page of some slot (a double fault's likely cause).
  static func isGuard(_ address: UInt64) -> Bool {
    guard address >= base, address < base + UInt64(slotCount) * slotBytes else { return false }
    return (address - base) % slotBytes < guardPages * PageSize.size4KiB.bytes
  }
}
