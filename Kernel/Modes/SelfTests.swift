import KernelSupport

/// In-kernel tests of the core library on the real MMU (`test=selftest`). Each test returns nil
/// on success or what went wrong; the run ends with `SELFTEST RESULT: N passed, M failed`, which
/// tests/system/test_selftest.py reads, and QEMU exit status 33 (all passed) or 37.
enum SelfTests {
  /// Scratch addresses, each in its own 1 GiB of the scratch slot so tests do not share tables.
  static let smallPage = VirtualAddress(canonical: MemoryManager.scratchBase + 0x1000_0000)
  static let hugePage = VirtualAddress(canonical: MemoryManager.scratchBase + 0x4000_0000)
  static let protectPage = VirtualAddress(canonical: MemoryManager.scratchBase + 0x8000_0000)
  /// A lower-half page with the user bit: what SMAP must keep the kernel from touching.
  static let userPage = VirtualAddress(canonical: 0x0000_1000_0000_0000)

  static let tlb = HardwareTLB()

  static func run() -> Bool {
    print("\n== In-kernel self-tests: the core library on the real MMU ==")
    var passed = 0
    var failed = 0
    func check(_ name: String, _ failure: String?) {
      if let failure {
        failed += 1
        print("SELFTEST " + name + ": FAIL: " + failure)
      } else {
        passed += 1
        print("SELFTEST " + name + ": PASS")
      }
    }
    check("map-access-unmap-faults", mapAccessUnmapFaults())
    check("frame-accounting-baseline", frameAccountingReturnsToBaseline())
    check("translate-4k-offsets", translateSmallPage())
    check("huge-page-2m", hugePage2MiB())
    check("protect-after-invalidation", protectionChangeTakesEffect())
    check("kernel-text-read-only", faultsOnWrite(kernel_image_layout_get().image_start, "text"))
    check("kernel-rodata-read-only", faultsOnWrite(kernel_image_layout_get().text_end, "rodata"))
    check("no-execute-enforced", noExecuteEnforced())
    check("smep-blocks-user-code", smepBlocksUserCode())
    check(
      "stack-guard-unmapped", faultsOnRead(kernel_image_layout_get().stack_guard, present: false))
    check("identity-map-removed", identityMapRemoved())
    check("direct-map-translates", directMapTranslates())
    check("smap-blocks-user-page", smapBlocksUserPage())
    check("heap-grows-on-demand", heapGrows())
    check("demand-paging-through-core-policy", demandPagingThroughPolicy())
    print("SELFTEST RESULT: " + String(passed) + " passed, " + String(failed) + " failed")
    return failed == 0
  }

  // MARK: Tests

  /// map → write/read through the mapping → unmap + invlpg → both accesses fault.
  static func mapAccessUnmapFaults() -> String? {
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    guard let frame = frames.allocateFrame() else { return "no frame" }
    defer { frames.releaseFrame(frame) }
    if let error = mapPage(map, smallPage, frame, KernelAddressSpace.dataFlags, &frames) {
      return error
    }
    guard memory_probe_write(smallPage.value + 8, 0x5a) != 0 else {
      return "write to mapped page faulted"
    }
    guard memory_probe_read(smallPage.value + 8) != 0 else { return "read of mapped page faulted" }
    let stored = DirectMap.pointer(frame.address.advanced(by: 8)).load(as: UInt8.self)
    guard stored == 0x5a else { return "frame holds " + hex(UInt64(stored)) + ", not 0x5a" }
    if let error = unmapPage(map, smallPage, expecting: frame, &frames) { return error }
    if let error = expectFault(read: true, smallPage.value + 8, present: false) { return error }
    return expectFault(read: false, smallPage.value, present: false)
  }

  /// The same cycle again, now that its tables exist: the free count comes back exactly.
  static func frameAccountingReturnsToBaseline() -> String? {
    let before = MemoryManager.bitmap!.freeFrameCount
    if let error = mapAccessUnmapFaults() { return error }
    let after = MemoryManager.bitmap!.freeFrameCount
    return before == after ? nil : "free frames " + String(before) + " -> " + String(after)
  }

  /// translate() adds the page offset; the mapping reports 4 KiB and the leaf flags.
  static func translateSmallPage() -> String? {
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    guard let frame = frames.allocateFrame() else { return "no frame" }
    defer { frames.releaseFrame(frame) }
    if let error = mapPage(map, smallPage, frame, KernelAddressSpace.dataFlags, &frames) {
      return error
    }
    let address = smallPage.adding(0xabc)!
    let translated = map.translate(address)
    let mapping = map.mapping(containing: address)
    let unmapError = unmapPage(map, smallPage, expecting: frame, &frames)
    guard translated == frame.address.advanced(by: 0xabc) else {
      return "translate gave " + (translated?.description ?? "nil")
    }
    guard let mapping, mapping.size == .size4KiB,
      mapping.flags.contains([.writable, .noExecute, .global])
    else { return "mapping " + (mapping?.description ?? "nil") }
    return unmapError
  }

  /// A 2 MiB page: one PD entry with PS; every offset translates and reaches the right frame.
  static func hugePage2MiB() -> String? {
    let bitmap = MemoryManager.bitmap!
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    let frame: PhysicalFrame
    do { frame = try bitmap.allocate(.size2MiB) } catch {
      return "no 2 MiB frame: " + describe(error)
    }
    defer { try? bitmap.free(frame, size: .size2MiB) }
    do {
      try map.map(
        hugePage, to: frame, size: .size2MiB, flags: KernelAddressSpace.dataFlags, frames: &frames)
    } catch { return "map 2 MiB: " + describe(error) }
    let offsets: [UInt64] = [0, 0x1000, 0x10_0000 + 0x18, 0x1f_f000 + 0xff8]
    for (index, offset) in offsets.enumerated() {
      let value = UInt8(0x40 + index)
      guard memory_probe_write(hugePage.value + offset, value) != 0 else {
        return "write at +" + hex(offset) + " faulted"
      }
      let stored = DirectMap.pointer(frame.address.advanced(by: offset)).load(as: UInt8.self)
      guard stored == value else {
        return "frame byte at +" + hex(offset) + " is " + hex(UInt64(stored))
      }
      guard map.translate(hugePage.adding(offset)!) == frame.address.advanced(by: offset) else {
        return "translate(+" + hex(offset) + ") wrong"
      }
    }
    guard map.mapping(containing: hugePage.adding(0x12345)!)?.size == .size2MiB else {
      return "mapping is not a 2 MiB page"
    }
    if let error = unmapPage(map, hugePage, expecting: frame, &frames) { return error }
    return expectFault(read: true, hugePage.value + 0x1f_f000, present: false)
  }

  /// protect() to read-only: writes fault (after the invalidation), reads still work; back to
  /// read-write: writes work again.
  static func protectionChangeTakesEffect() -> String? {
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    guard let frame = frames.allocateFrame() else { return "no frame" }
    defer { frames.releaseFrame(frame) }
    if let error = mapPage(map, protectPage, frame, KernelAddressSpace.dataFlags, &frames) {
      return error
    }
    guard memory_probe_write(protectPage.value, 1) != 0 else { return "first write faulted" }
    do {
      try map.protect(protectPage, flags: KernelAddressSpace.readOnlyFlags).flush(tlb)
    } catch { return "protect read-only: " + describe(error) }
    if let error = expectFault(read: false, protectPage.value, present: true) { return error }
    guard memory_probe_read(protectPage.value) != 0 else { return "read of read-only page faulted" }
    do {
      try map.protect(protectPage, flags: KernelAddressSpace.dataFlags).flush(tlb)
    } catch { return "protect read-write: " + describe(error) }
    guard memory_probe_write(protectPage.value, 2) != 0 else {
      return "write after re-enabling faulted"
    }
    return unmapPage(map, protectPage, expecting: frame, &frames)
  }

  /// The x86 RET instruction: what the execute probe calls.
  static let returnInstruction: UInt8 = 0xc3

  /// A kernel page without NX runs code; after protect() adds NX and the TLB entry is
  /// invalidated, the same call faults as an instruction fetch on a present page.
  static func noExecuteEnforced() -> String? {
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    guard let frame = frames.allocateFrame() else { return "no frame" }
    defer { frames.releaseFrame(frame) }
    DirectMap.pointer(frame.address).storeBytes(of: returnInstruction, as: UInt8.self)
    if let error = mapPage(map, protectPage, frame, [.global], &frames) { return error }
    guard memory_probe_execute(protectPage.value) == 1 else { return "executable page did not run" }
    do {
      try map.protect(protectPage, flags: KernelAddressSpace.readOnlyFlags).flush(tlb)
    } catch { return "protect: " + describe(error) }
    let ran = memory_probe_execute(protectPage.value) == 1
    let fault = checkLastFetchFault(protectPage.value)
    if let error = unmapPage(map, protectPage, expecting: frame, &frames) { return error }
    return ran ? "a no-execute page ran (EFER.NXE off?)" : fault
  }

  /// With SMEP on, the kernel cannot run code in a user page (present, executable for ring 3).
  static func smepBlocksUserCode() -> String? {
    guard control_register_4_read() & ControlBits.supervisorModeExecutionPrevention != 0 else {
      print("  (SMEP not available: skipped)")
      return nil
    }
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    guard let frame = frames.allocateFrame() else { return "no frame" }
    defer { frames.releaseFrame(frame) }
    DirectMap.pointer(frame.address).storeBytes(of: returnInstruction, as: UInt8.self)
    if let error = mapPage(map, userPage, frame, [.user], &frames) { return error }
    let ran = memory_probe_execute(userPage.value) == 1
    let fault = checkLastFetchFault(userPage.value)
    if let error = unmapPage(map, userPage, expecting: frame, &frames) { return error }
    return ran ? "the kernel ran code in a user page" : fault
  }

  /// The last probe fault was an instruction fetch at `address` on a present page.
  static func checkLastFetchFault(_ address: UInt64) -> String? {
    let fault = PageFaultTrap.lastProbeFault
    let code = PageFaultErrorCode(rawValue: fault.errorCode)
    guard fault.address == address else {
      return "CR2 " + hex(fault.address) + " != " + hex(address)
    }
    guard code.contains([.present, .instructionFetch]), !code.contains(.user) else {
      return "unexpected error code " + code.description
    }
    return nil
  }

  /// A write to a present read-only kernel page faults (CR0.WP); the byte is written back
  /// unchanged, so nothing is harmed should it not fault.
  static func faultsOnWrite(_ address: UInt64, _ what: String) -> String? {
    let current = UnsafePointer<UInt8>(bitPattern: UInt(address))!.pointee
    guard memory_probe_write(address, current) == 0 else {
      return "kernel " + what + " is writable"
    }
    return checkLastFault(address, present: true, write: true)
  }

  /// A read of `address` faults.
  static func faultsOnRead(_ address: UInt64, present: Bool) -> String? {
    expectFault(read: true, address, present: present)
  }

  /// The boot identity map is gone: the kernel's physical load address and page 0 fault.
  static func identityMapRemoved() -> String? {
    if let error = expectFault(read: true, PhysicalMemory.lowMemoryEnd, present: false) {
      return error
    }
    return expectFault(read: true, 0, present: false)
  }

  /// The direct map covers RAM with huge, global, no-execute, writable pages.
  static func directMapTranslates() -> String? {
    let map = MemoryManager.kernelMap!
    let top = (MemoryManager.bitmap!.frameCount - 1) << PageSize.size4KiB.shift
    for physical: UInt64 in [0, 0x10_0000 + 0x123, top] {
      let virtual = VirtualAddress(canonical: directMapBase + physical)
      guard map.translate(virtual)?.value == physical else {
        return "direct map of " + hex(physical) + " translates to "
          + (map.translate(virtual)?.description ?? "nil")
      }
      guard let mapping = map.mapping(containing: virtual), mapping.size != .size4KiB,
        mapping.flags.contains([.writable, .noExecute, .global])
      else { return "direct-map page for " + hex(physical) + " is not a huge RW NX G page" }
    }
    return nil
  }

  /// With SMAP on, a supervisor read of a user page faults (P=1, U/S=0); mapping and unmapping
  /// it in the lower half reclaims its tables, so the frame count returns to its baseline.
  static func smapBlocksUserPage() -> String? {
    guard control_register_4_read() & ControlBits.supervisorModeAccessPrevention != 0 else {
      print("  (SMAP not available: checking only the table reclamation)")
      return lowerHalfReclaims(expectSMAPFault: false)
    }
    return lowerHalfReclaims(expectSMAPFault: true)
  }

  static func lowerHalfReclaims(expectSMAPFault: Bool) -> String? {
    let bitmap = MemoryManager.bitmap!
    var frames = MemoryManager.frames
    let map = MemoryManager.kernelMap!
    let baseline = bitmap.freeFrameCount
    guard let frame = frames.allocateFrame() else { return "no frame" }
    let flags: PageTableFlags = [.user, .writable, .noExecute]
    if let error = mapPage(map, userPage, frame, flags, &frames) { return error }
    let smapError = expectSMAPFault ? expectFault(read: true, userPage.value, present: true) : nil
    if let error = unmapPage(map, userPage, expecting: frame, &frames) { return error }
    frames.releaseFrame(frame)
    if let smapError { return "SMAP: " + smapError }
    let after = bitmap.freeFrameCount
    return after == baseline ? nil : "free frames " + String(baseline) + " -> " + String(after)
  }

  /// A 256 KiB array is more than the heap has spare: it grows, and the memory works.
  static func heapGrows() -> String? {
    let before = KernelHeap.regionEnd
    let count = 256 * 1024
    var bytes = [UInt8](repeating: 0, count: count)
    for index in stride(from: 0, to: count, by: 4096) {
      bytes[index] = UInt8(truncatingIfNeeded: index >> 12)
    }
    var sum = 0
    for index in stride(from: 0, to: count, by: 4096) { sum += Int(bytes[index]) }
    guard sum == (0..<64).reduce(0, +) else { return "heap memory lost writes" }
    guard KernelHeap.regionEnd > before else { return "the heap did not grow" }
    return nil
  }

  /// The seed's page trap end to end on the real MMU: a process address space (sharing the
  /// kernel's part) reserves memory that nothing backs; a user access on its behalf faults,
  /// the core's policy backs the page with a zeroed frame and the access is retried; an access
  /// outside every region is refused (EFAULT). Tearing the space down returns every frame.
  /// The commit limit is lent for the test (no process runs in a test mode, so none is
  /// charged) and put back.
  static func demandPagingThroughPolicy() -> String? {
    let bitmap = MemoryManager.bitmap!
    let physical = MemoryManager.physical!
    let kernelMap = MemoryManager.kernelMap!
    let baseline = bitmap.freeFrameCount
    let processMap: PageMap<DirectMap>
    do {
      processMap = try PageMap(sharingKernelPartOf: kernelMap, frames: &physical.frames)
    } catch { return "new page map: " + describe(error) }
    let space = ProcessAddressSpace(pageMap: processMap, tlb: tlb, physical: physical)
    let commitLimit = physical.commit.limit
    physical.resetCommit(limit: 16)
    defer { physical.resetCommit(limit: commitLimit) }
    let range: VirtualRange
    do {
      range = try space.reserve(length: 3 * PageSize.size4KiB.bytes, protection: [.read, .write])
    } catch { return "reserve failed" }
    let residentBefore = space.residentFrames

    let processor = Processor.current
    let kernelSpace = processor.space
    processor.activate(space)
    let wrote = user_memory_write(range.start + 5, 0x77)
    var value: UInt8 = 0
    let read = user_memory_read(range.start + 5, &value)
    let outside = user_memory_write(range.end + PageSize.size2MiB.bytes, 1)
    processor.activate(kernelSpace)

    let resolved = space.resolvedFaults
    let resident = space.residentFrames
    let backing = processMap.translate(VirtualAddress(canonical: range.start))
    space.tearDown()
    print(
      "  reserved " + range.description + "; first write: " + String(resolved)
        + " fault resolved by the core (frame " + (backing?.description ?? "none")
        + "), read back " + hex(UInt64(value)) + "; access outside the region: "
        + (outside == 0 ? "EFAULT" : "allowed!"))
    guard wrote == 1, read == 1, value == 0x77 else { return "access to reserved memory failed" }
    guard residentBefore == 0, resident == 1, resolved == 1 else {
      return "resident " + String(resident) + ", resolved " + String(resolved)
    }
    guard outside == 0 else { return "access outside every region was not refused" }
    let after = bitmap.freeFrameCount
    return after == baseline ? nil : "free frames " + String(baseline) + " -> " + String(after)
  }

  // MARK: Helpers

  static func mapPage(
    _ map: PageMap<DirectMap>, _ page: VirtualAddress, _ frame: PhysicalFrame,
    _ flags: PageTableFlags, _ frames: inout BitmapFrameSource
  ) -> String? {
    do {
      try map.map(page, to: frame, flags: flags, frames: &frames)
      return nil
    } catch { return "map " + page.description + ": " + describe(error) }
  }

  static func unmapPage(
    _ map: PageMap<DirectMap>, _ page: VirtualAddress, expecting frame: PhysicalFrame,
    _ frames: inout BitmapFrameSource
  ) -> String? {
    do {
      let released = try map.unmap(page).flush(tlb, returningTablesTo: &frames)
      return released == frame ? nil : "unmap returned " + released.description
    } catch { return "unmap " + page.description + ": " + describe(error) }
  }

  /// A probe access of `address` faults, with CR2 = `address` and the expected P bit.
  static func expectFault(read: Bool, _ address: UInt64, present: Bool) -> String? {
    let survived = read ? memory_probe_read(address) != 0 : memory_probe_write(address, 0) != 0
    guard !survived else {
      return (read ? "read of " : "write to ") + hex(address) + " did not fault"
    }
    return checkLastFault(address, present: present, write: !read)
  }

  static func checkLastFault(_ address: UInt64, present: Bool, write: Bool) -> String? {
    let fault = PageFaultTrap.lastProbeFault
    let code = PageFaultErrorCode(rawValue: fault.errorCode)
    guard fault.address == address else {
      return "CR2 " + hex(fault.address) + " != " + hex(address)
    }
    guard code.contains(.present) == present, code.contains(.write) == write,
      !code.contains(.user)
    else { return "unexpected error code " + code.description }
    return nil
  }
}
