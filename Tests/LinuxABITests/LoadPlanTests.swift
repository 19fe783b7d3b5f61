import KernelMemory
import LinuxABI
import Testing

@Suite struct LoadPlanTests {
  @Test func plansAStaticExecutable() throws {
    let plan = try ELFTestFile().plan()
    #expect(plan.loadBias == 0)
    #expect(plan.entry == 0x40_1000)
    #expect(plan.segments.count == 3)
    #expect(plan.segments[1].protection == [.read, .execute])
    #expect(plan.segments[2].pages == VirtualRange(uncheckedStart: 0x40_2000, end: 0x40_5000))
    #expect(plan.segments[2].fileLength == 0x100)
    #expect(plan.heapStart == 0x40_5000)
    #expect(plan.programHeadersAddress == 0x40_0040)
    #expect(plan.programHeaderCount == 4)
  }

  @Test func unalignedSegmentStartsAtItsPage() throws {
    var file = ELFTestFile()
    file.headers[2].offset = 0x2e10
    file.headers[2].virtualAddress = 0x40_2e10
    file.fileSize = 0x3000
    file.headers[2].fileSize = 0x100
    let plan = try file.plan()
    #expect(plan.segments[2].pages.start == 0x40_2000)
    #expect(plan.segments[2].fileOffset == 0x2000)
    #expect(plan.segments[2].fileLength == 0xf10)
  }

  @Test func placesAStaticPIEAtTheDynamicBase() throws {
    var file = ELFTestFile()
    file.type = ELF.typeShared
    for index in 0..<3 { file.headers[index].virtualAddress -= 0x40_0000 }
    file.entry = 0x1000
    let plan = try file.plan()
    #expect(plan.loadBias == LoadPlan.dynamicBase)
    #expect(plan.entry == LoadPlan.dynamicBase + 0x1000)
    #expect(plan.segments[0].pages.start == LoadPlan.dynamicBase)
  }

  @Test func recordsTheTLSTemplate() throws {
    var file = ELFTestFile()
    file.headers.append(
      ProgramHeader(
        type: ELF.segmentThreadLocal, flags: ELF.flagRead, offset: 0x2000,
        virtualAddress: 0x40_2000, fileSize: 8, memorySize: 16, alignment: 8))
    #expect(try file.plan().threadLocal?.memorySize == 16)
  }

  static func hostile(_ change: (inout ELFTestFile) -> Void) -> ELFError? {
    var file = ELFTestFile()
    change(&file)
    return file.error()
  }

  @Test func refusesHostileFiles() {
    #expect(Self.hostile { $0.identification[0] = 0 } == .badMagic)
    #expect(Self.hostile { $0.identification[4] = 1 } == .unsupported("not ELFCLASS64"))
    #expect(Self.hostile { $0.machine = 3 } != nil)
    #expect(Self.hostile { $0.type = 1 } != nil)
    #expect(Self.hostile { $0.fileSize = 40 } == .truncated("shorter than its header"))
    #expect(Self.hostile { $0.phentsize = 32 } != nil)
    #expect(Self.hostile { $0.phnumOverride = 0 } != nil)
    #expect(Self.hostile { $0.phnumOverride = 0xffff } != nil)
    #expect(Self.hostile { $0.phnumOverride = 300 } != nil)
    #expect(Self.hostile { $0.headers[2].fileSize = 0x4000 } != nil)
    #expect(Self.hostile { $0.headers[2].offset = 0xffff_ffff_ffff_f000 } != nil)
    #expect(Self.hostile { $0.headers[1].flags = 7 } != nil)
    #expect(Self.hostile { $0.headers[3].flags = 7 } != nil)
    #expect(Self.hostile { $0.headers[1].alignment = 3 } != nil)
    #expect(Self.hostile { $0.headers[1].offset = 0x1010 } != nil)
    #expect(Self.hostile { $0.entry = 0x40_2000 } != nil)
    #expect(Self.hostile { $0.headers[2].virtualAddress = 0x7f00_0000_0000 } != nil)
    #expect(Self.hostile { $0.headers[2].virtualAddress = 0xffff_ffff_ffff_f000 } != nil)
    #expect(Self.hostile { $0.headers[0].virtualAddress = 0x1000 } != nil)
    #expect(Self.hostile { $0.headers[2].virtualAddress = 0x40_1000 } != nil)
    #expect(
      Self.hostile {
        $0.headers.append(
          ProgramHeader(
            type: ELF.segmentInterpreter, flags: 4, offset: 0, virtualAddress: 0, fileSize: 1,
            memorySize: 1, alignment: 1))
      } != nil)
    #expect(Self.hostile { $0.headers = [$0.headers[3]] } == .malformed("no PT_LOAD segment"))
  }

  @Test func errorsAreOneLine() {
    let error = Self.hostile { $0.headers[1].flags = 7 }!
    #expect(!error.description.contains("\n"))
    #expect(error.description.contains("W+X"))
  }
}

@Suite struct TruncationTests {
  @Test func programHeadersBeyondTheFile() {
    var file = ELFTestFile()
    file.fileSize = 64 + 56
    #expect(file.error() == .truncated("program headers (e_phoff + e_phnum * 56) beyond the file"))
  }
}
