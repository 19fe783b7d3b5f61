import KernelMemory
import LinuxABI
import Testing

/// Hostile files: random byte mutations of a valid executable must either be refused with an
/// `ELFError` or give a plan that keeps every promise (user space only, no W+X, entry in an
/// executable segment, ascending segments, file ranges inside the file) — never a crash.
@Suite struct LoadPlanFuzzTests {
  /// SplitMix64: a tiny deterministic generator, so a failing seed replays.
  struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state &+= 0x9e37_79b9_7f4a_7c15
      var mixed = state
      mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
      mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
      return mixed ^ (mixed >> 31)
    }
  }

  func check(_ plan: LoadPlan, fileSize: Int) {
    var previousEnd: UInt64 = 0
    for segment in plan.segments {
      #expect(segment.pages.start >= UserLayout.minimumAddress)
      #expect(segment.pages.end <= UserLayout.end)
      #expect(segment.pages.start < segment.pages.end)
      #expect(!(segment.protection.contains(.write) && segment.protection.contains(.execute)))
      #expect(segment.fileOffset + segment.fileLength <= UInt64(fileSize))
      #expect(segment.fileLength <= segment.pages.length)
      #expect(segment.pages.start + PageSize.size4KiB.bytes > previousEnd)
      previousEnd = segment.pages.end
    }
    #expect(
      plan.segments.contains { $0.pages.contains(plan.entry) && $0.protection.contains(.execute) })
    #expect(plan.heapStart == plan.segments.last!.pages.end)
  }

  @Test(arguments: [UInt64(1), 2, 3])
  func mutatedHeadersNeverBreakThePlanPromises(seed: UInt64) {
    var random = Generator(state: seed)
    let original = ELFTestFile().bytes()
    var refused = 0
    for _ in 0..<3000 {
      var image = original
      let mutations = 1 + Int(random.next() % 4)
      for _ in 0..<mutations {
        // Mostly the ELF header and program headers, where the loader looks.
        let index = Int(random.next() % UInt64(64 + 56 * 4))
        image[index] = UInt8(truncatingIfNeeded: random.next())
      }
      if random.next() % 8 == 0 { image = Array(image.prefix(Int(random.next() % 400))) }
      let outcome: LoadPlan? = image.withUnsafeBytes { raw in try? LoadPlan(file: ELFBytes(raw)) }
      if let plan = outcome { check(plan, fileSize: image.count) } else { refused += 1 }
    }
    #expect(refused > 0)
  }
}
