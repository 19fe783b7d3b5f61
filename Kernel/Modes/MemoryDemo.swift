import KernelSupport

/// `make run`'s demonstration of the memory manager on the real MMU: take a frame from the
/// bitmap, map it with `PageMap`, write through the mapping, translate the address back, unmap
/// and invalidate, show that the address now faults, return the frame — then timing figures.
enum MemoryDemo {
  /// The page the demonstration maps (kernel half, PML4 slot 320: nothing else lives there).
  static let demoAddress = VirtualAddress(canonical: MemoryManager.scratchBase)
  /// A recognisable value to write: "SWIFTMEM" in ASCII.
  static let pattern: UInt64 = 0x4d45_4d54_4649_5753
  /// Iterations for the timing figures.
  static let iterations = 1000

  static func run() {
    print("\n== Memory manager demonstration on the real MMU ==")
    let map = MemoryManager.kernelMap!
    var frames = MemoryManager.frames
    let baseline = MemoryManager.bitmap!.freeFrameCount
    let tlb = HardwareTLB()

    guard let frame = frames.allocateFrame() else { Panic.halt("demo: no free frame") }
    print(
      "1. frame bitmap: allocated " + frame.description + " (free frames " + String(baseline)
        + " -> " + String(MemoryManager.bitmap!.freeFrameCount) + ")")

    let mapStart = timestamp_counter_read()
    do {
      try map.map(demoAddress, to: frame, flags: KernelAddressSpace.dataFlags, frames: &frames)
    } catch {
      Panic.halt("demo: map failed: " + describe(error))
    }
    let mapCycles = timestamp_counter_read() &- mapStart
    print(
      "2. PageMap.map " + demoAddress.description + " -> " + frame.description
        + " (RW NX G), creating its PD and PT: " + String(mapCycles)
        + " TSC cycles (first call: includes QEMU translating the code)")

    let pointer = UnsafeMutablePointer<UInt64>(bitPattern: UInt(demoAddress.value))!
    pointer.pointee = pattern
    let throughDirectMap = DirectMap().load(frame.address)
    print(
      "3. wrote " + hex(pattern)
        + " (\"SWIFTMEM\") through the mapping; the frame read through the direct map holds "
        + hex(throughDirectMap) + (throughDirectMap == pattern ? ": match" : ": MISMATCH"))

    let probe = demoAddress.adding(0x123)!
    let translated = map.translate(probe)
    print(
      "4. translate(" + probe.description + ") = " + (translated?.description ?? "nil")
        + " (expected " + frame.address.advanced(by: 0x123).description + ")")
    if let mapping = map.mapping(containing: probe) { print("   mapping: " + mapping.description) }

    let unmapStart = timestamp_counter_read()
    var released = PhysicalFrame(number: 0)
    do {
      released = try map.unmap(demoAddress).flush(tlb, returningTablesTo: &frames)
    } catch {
      Panic.halt("demo: unmap failed: " + describe(error))
    }
    let unmapCycles = timestamp_counter_read() &- unmapStart
    print(
      "5. unmap + invlpg: " + String(unmapCycles) + " TSC cycles; translate now "
        + (map.translate(probe)?.description ?? "nil"))

    let readable = memory_probe_read(demoAddress.value) != 0
    let fault = PageFaultTrap.lastProbeFault
    if readable {
      print(
        "6. reading " + demoAddress.description + " after unmap did NOT fault: stale TLB entry!")
    } else {
      print(
        "6. reading " + demoAddress.description + " after unmap faults as it must: page fault at "
          + hex(fault.address) + " (" + PageFaultErrorCode(rawValue: fault.errorCode).description
          + "), handler resumed at the probe's recovery point")
    }

    frames.releaseFrame(released)
    print(
      "7. returned " + released.description + " to the bitmap: free frames "
        + String(MemoryManager.bitmap!.freeFrameCount) + " (baseline " + String(baseline)
        + "; the new PD and PT stay: kernel-half tables are shared and never reclaimed)")
    print("8. the seed's page trap on the real MMU (a process address space, lazy backing):")
    if let failure = SelfTests.demandPagingThroughPolicy() { print("   FAILED: " + failure) }
    printFigures(map, &frames, tlb)
  }

  /// Average costs over `iterations` rounds, once the page tables for the address exist.
  static func printFigures(
    _ map: PageMap<DirectMap>, _ frames: inout BitmapFrameSource, _ tlb: HardwareTLB
  ) {
    let bitmap = MemoryManager.bitmap!
    var allocateCycles: UInt64 = 0
    var mapCycles: UInt64 = 0
    var translateCycles: UInt64 = 0
    var unmapCycles: UInt64 = 0
    var touchCycles: UInt64 = 0
    // Keep one page mapped next door so the PT stays in place between rounds.
    let neighbour = demoAddress.adding(PageSize.size4KiB.bytes)!
    let anchor = frames.allocateFrame()!
    try? map.map(neighbour, to: anchor, flags: KernelAddressSpace.dataFlags, frames: &frames)
    for _ in 0..<iterations {
      var start = timestamp_counter_read()
      let frame = bitmap.allocate()!
      allocateCycles &+= timestamp_counter_read() &- start
      start = timestamp_counter_read()
      try? map.map(demoAddress, to: frame, flags: KernelAddressSpace.dataFlags, frames: &frames)
      mapCycles &+= timestamp_counter_read() &- start
      start = timestamp_counter_read()
      _ = map.translate(demoAddress)
      translateCycles &+= timestamp_counter_read() &- start
      start = timestamp_counter_read()
      _ = memory_probe_write(demoAddress.value, 1)
      touchCycles &+= timestamp_counter_read() &- start
      start = timestamp_counter_read()
      let back = try? map.unmap(demoAddress).flush(tlb, returningTablesTo: &frames)
      unmapCycles &+= timestamp_counter_read() &- start
      frames.releaseFrame(back!)
    }
    let back = try? map.unmap(neighbour).flush(tlb, returningTablesTo: &frames)
    frames.releaseFrame(back!)
    let n = UInt64(iterations)
    print("Figures (mean TSC cycles over " + String(iterations) + " rounds, QEMU TCG):")
    var line = "  frame allocate " + String(allocateCycles / n)
    line += ", map 4 KiB " + String(mapCycles / n)
    line += ", translate " + String(translateCycles / n)
    line += ", first write (TLB miss + walk) " + String(touchCycles / n)
    line += ", unmap + invlpg " + String(unmapCycles / n)
    print(line)
    print("  free frames after the demo: " + String(bitmap.freeFrameCount))
  }
}
