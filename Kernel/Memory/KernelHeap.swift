import KernelSupport

/// The kernel heap behind `posix_memalign`/`free` (Kernel/Support/runtime_entry_points.c), and
/// so behind every Swift class instance, array and string in the kernel.
///
/// Small blocks (up to a page, alignment up to 16) come from eight power-of-two size classes,
/// 32 bytes to 4 KiB, each with a free list threaded through its free blocks; larger or more
/// aligned requests get whole pages. Every block carries a 16-byte header just below the
/// pointer handed out, which says how to free it. Pages come from a bump region: first a static
/// arena in .bss (the allocator exists before the frame allocator does), then, once
/// `enableGrowth` is called, the heap's own virtual region, mapped on demand with frames from
/// the frame bitmap. Running out of memory panics: the kernel has no one to return an error to.
enum KernelHeap {
  static let pageSize = Int(PageSize.size4KiB.bytes)
  static let headerSize = 16
  static let smallestClassShift = 5
  static let classCount = 8
  /// Header tags: a marker in the high bits catches frees of pointers the heap never gave out.
  static let smallTag: UInt64 = 0x5348_4541_5000_0000
  static let largeTag: UInt64 = 0x4c48_4541_5000_0000
  static let tagMask: UInt64 = 0xffff_ffff_ff00_0000
  /// Pages mapped at once when the heap grows.
  static let growthPages = 16

  /// The free list of each size class (addresses of free blocks; 0 = empty).
  nonisolated(unsafe) static var classHeads = (
    UInt(0), UInt(0), UInt(0), UInt(0), UInt(0), UInt(0), UInt(0), UInt(0)
  )
  /// Freed multi-page runs: a list threaded through the runs (next, page count).
  nonisolated(unsafe) static var freeRuns: UInt = 0
  /// The bump region pages are taken from.
  nonisolated(unsafe) static var regionNext: UInt = 0
  nonisolated(unsafe) static var regionEnd: UInt = 0
  /// Whether the region can grow through `MemoryManager.growHeap` (after paging is set up).
  nonisolated(unsafe) static var canGrow = false
  /// Statistics for the boot summary.
  nonisolated(unsafe) static var liveAllocations: UInt64 = 0
  nonisolated(unsafe) static var pagesInUse: UInt64 = 0

  /// Starts with the static arena.
  static func initialize() {
    let layout = kernel_image_layout_get()
    regionNext = UInt(layout.early_heap_start)
    regionEnd = UInt(layout.early_heap_end)
  }

  /// Moves the bump region to `base`, a virtual range with nothing mapped yet, that grows
  /// through `MemoryManager.growHeap`.
  static func enableGrowth(at base: UInt64) {
    regionNext = UInt(base)
    regionEnd = UInt(base)
    canGrow = true
  }

  /// Allocates `size` bytes aligned to `alignment` (a power of two).
  static func allocate(size: Int, alignment: Int) -> UnsafeMutableRawPointer {
    liveAllocations &+= 1
    if alignment <= headerSize, size + headerSize <= pageSize {
      return allocateSmall(sizeClass: sizeClass(for: size + headerSize))
    }
    return allocateLarge(size: size, alignment: alignment)
  }

  /// Returns a block `allocate` handed out.
  static func release(_ pointer: UnsafeMutableRawPointer) {
    let header = pointer - headerSize
    let tagWord = header.load(as: UInt64.self)
    liveAllocations &-= 1
    switch tagWord & tagMask {
    case smallTag:
      push(UInt(bitPattern: header), sizeClass: Int(tagWord & 0xff))
    case largeTag:
      let run = UInt(header.load(fromByteOffset: 8, as: UInt64.self))
      releaseRun(run, pages: Int((tagWord & 0xff_ffff)))
    default:
      Panic.haltWithoutHeap("heap corruption: free() of a pointer the heap did not hand out")
    }
  }

  /// The smallest class whose blocks hold `bytes` (header included).
  private static func sizeClass(for bytes: Int) -> Int {
    var sizeClass = 0
    while (1 << (smallestClassShift + sizeClass)) < bytes { sizeClass += 1 }
    return sizeClass
  }

  private static func allocateSmall(sizeClass: Int) -> UnsafeMutableRawPointer {
    if head(sizeClass) == 0 { refill(sizeClass: sizeClass) }
    let block = head(sizeClass)
    let blockPointer = UnsafeMutableRawPointer(bitPattern: block)!
    setHead(sizeClass, UInt(blockPointer.load(as: UInt64.self)))
    blockPointer.storeBytes(of: smallTag | UInt64(sizeClass), as: UInt64.self)
    return blockPointer + headerSize
  }

  /// Carves one fresh page into blocks of the class.
  private static func refill(sizeClass: Int) {
    let page = takePages(1)
    pagesInUse &+= 1
    let blockSize = 1 << (smallestClassShift + sizeClass)
    var offset = pageSize - blockSize
    while offset >= 0 {
      push(page + UInt(offset), sizeClass: sizeClass)
      offset -= blockSize
    }
  }

  private static func push(_ block: UInt, sizeClass: Int) {
    UnsafeMutableRawPointer(bitPattern: block)!.storeBytes(
      of: UInt64(head(sizeClass)), as: UInt64.self)
    setHead(sizeClass, block)
  }

  /// Whole pages: the payload starts `max(16, alignment)` bytes into the run (alignment is at
  /// most a page), with the header just below it.
  private static func allocateLarge(size: Int, alignment: Int) -> UnsafeMutableRawPointer {
    guard alignment <= pageSize else {
      Panic.haltWithoutHeap("kernel heap: alignment above 4 KiB requested")
    }
    let offset = max(headerSize, alignment)
    let pages = (offset + size + pageSize - 1) / pageSize
    let run = takeRun(pages: pages)
    pagesInUse &+= UInt64(pages)
    let payload = UnsafeMutableRawPointer(bitPattern: run + UInt(offset))!
    let header = payload - headerSize
    header.storeBytes(of: largeTag | UInt64(pages), as: UInt64.self)
    header.storeBytes(of: UInt64(run), toByteOffset: 8, as: UInt64.self)
    return payload
  }

  /// A freed run of at least `pages` (its tail is cut off), or fresh pages.
  private static func takeRun(pages: Int) -> UInt {
    var previous: UInt = 0
    var current = freeRuns
    while current != 0 {
      let run = UnsafeMutableRawPointer(bitPattern: current)!
      let next = UInt(run.load(as: UInt64.self))
      let runPages = Int(run.load(fromByteOffset: 8, as: UInt64.self))
      if runPages >= pages {
        if runPages == pages {
          if previous == 0 {
            freeRuns = next
          } else {
            UnsafeMutableRawPointer(bitPattern: previous)!.storeBytes(
              of: UInt64(next), as: UInt64.self)
          }
          return current
        }
        run.storeBytes(of: UInt64(runPages - pages), toByteOffset: 8, as: UInt64.self)
        return current + UInt((runPages - pages) * pageSize)
      }
      previous = current
      current = next
    }
    return takePages(pages)
  }

  private static func releaseRun(_ run: UInt, pages: Int) {
    pagesInUse &-= UInt64(pages)
    let pointer = UnsafeMutableRawPointer(bitPattern: run)!
    pointer.storeBytes(of: UInt64(freeRuns), as: UInt64.self)
    pointer.storeBytes(of: UInt64(pages), toByteOffset: 8, as: UInt64.self)
    freeRuns = run
  }

  /// `count` fresh pages from the bump region, growing it when it is allowed to.
  private static func takePages(_ count: Int) -> UInt {
    let bytes = UInt(count * pageSize)
    if regionEnd - regionNext < bytes {
      guard canGrow else {
        Panic.haltWithoutHeap("kernel heap: early arena exhausted before paging was ready")
      }
      let missing = Int((bytes - (regionEnd - regionNext)) / UInt(pageSize))
      let grow = max(missing, growthPages)
      guard MemoryManager.growHeap(at: UInt64(regionEnd), pages: grow) else {
        Panic.haltWithoutHeap("kernel heap: out of physical memory (no page file: the seed's rule)")
      }
      regionEnd += UInt(grow * pageSize)
    }
    let pages = regionNext
    regionNext += bytes
    return pages
  }

  private static func head(_ sizeClass: Int) -> UInt {
    withUnsafePointer(to: &classHeads) {
      UnsafeRawPointer($0).load(
        fromByteOffset: sizeClass * MemoryLayout<UInt>.stride, as: UInt.self)
    }
  }

  private static func setHead(_ sizeClass: Int, _ value: UInt) {
    withUnsafeMutablePointer(to: &classHeads) {
      UnsafeMutableRawPointer($0).storeBytes(
        of: value, toByteOffset: sizeClass * MemoryLayout<UInt>.stride, as: UInt.self)
    }
  }
}

@_cdecl("kernel_heap_allocate")
func kernelHeapAllocate(_ size: Int, _ alignment: Int) -> UnsafeMutableRawPointer {
  KernelHeap.allocate(size: size, alignment: alignment)
}

@_cdecl("kernel_heap_release")
func kernelHeapRelease(_ pointer: UnsafeMutableRawPointer) {
  KernelHeap.release(pointer)
}
