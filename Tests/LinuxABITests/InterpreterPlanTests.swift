import KernelMemory
import LinuxABI
import Testing

/// `PT_INTERP` in `LoadPlan` (Linux's `load_elf_binary` checks): the path it names, refused
/// when shorter than 2 bytes, longer than `PATH_MAX`, past the end of the file or not
/// NUL-terminated; and `AT_BASE` in the aux vector is the interpreter's base.
@Suite struct InterpreterPlanTests {
  static let pathOffset: UInt64 = 0x2800
  static let path = Array("/lib64/ld-linux-x86-64.so.2".utf8)

  /// The standard test file with a `PT_INTERP` over `bytes` at `pathOffset`, `size` long.
  static func plan(_ bytes: [UInt8], size: UInt64? = nil, offset: UInt64 = pathOffset) -> Result<
    LoadPlan, ELFError
  > {
    var file = ELFTestFile()
    file.headers.insert(
      ProgramHeader(
        type: ELF.segmentInterpreter, flags: ELF.flagRead, offset: offset, virtualAddress: 0,
        fileSize: size ?? UInt64(bytes.count), memorySize: size ?? UInt64(bytes.count),
        alignment: 1), at: 0)
    var image = file.bytes()
    for (index, byte) in bytes.enumerated() where Int(offset) + index < image.count {
      image[Int(offset) + index] = byte
    }
    return image.withUnsafeBytes { raw in
      do throws(ELFError) { return .success(try LoadPlan(file: ELFBytes(raw))) } catch {
        return .failure(error)
      }
    }
  }

  @Test func theInterpreterIsThePathBeforeTheFirstNul() throws {
    #expect(try Self.plan(Self.path + [0]).get().interpreterPath == Self.path)
    #expect(try Self.plan(Self.path + [0, 0x41, 0]).get().interpreterPath == Self.path)
    #expect(try ELFTestFile().plan().interpreterPath == nil)
    #expect(try Self.plan(Self.path + [0]).get().interpreterBase == 0)
  }

  @Test func aBadInterpreterPathIsRefused() {
    let notTerminated = ELFError.malformed("PT_INTERP is not NUL-terminated")
    #expect(Self.plan(Self.path) == .failure(notTerminated))
    let length = ELFError.malformed("PT_INTERP p_filesz is not between 2 and PATH_MAX")
    #expect(Self.plan([0]) == .failure(length))
    #expect(Self.plan(Self.path + [0], size: 4097) == .failure(length))
    #expect(
      Self.plan(Self.path + [0], offset: 0x2ff0)
        == .failure(.truncated("PT_INTERP p_offset + p_filesz beyond the file")))
  }

  @Test func theAuxiliaryVectorNamesTheInterpretersBase() throws {
    var plan = try Self.plan(Self.path + [0]).get()
    plan.interpreterBase = 0x7fff_f7fc_3000
    let stack = InitialStack(
      top: 0x7fff_ffff_f000, arguments: ["prog"], environment: [], plan: plan,
      identity: ProcessIdentity(hardwareCapabilities: 0, random: (1, 2)))
    var words: [UInt64] = []
    for index in stride(from: 0, to: stack.bytes.count - 7, by: 8) {
      var word: UInt64 = 0
      for byte in 0..<8 { word |= UInt64(stack.bytes[index + byte]) << (8 * UInt64(byte)) }
      words.append(word)
    }
    // argc, argv[0], NULL, NULL (no environment), then the aux pairs.
    var auxiliary: [UInt64: UInt64] = [:]
    var index = 4
    while index + 1 < words.count, words[index] != AuxiliaryType.null {
      auxiliary[words[index]] = words[index + 1]
      index += 2
    }
    #expect(auxiliary[AuxiliaryType.interpreterBase] == 0x7fff_f7fc_3000)
    #expect(auxiliary[AuxiliaryType.entry] == plan.entry)
    #expect(auxiliary[AuxiliaryType.programHeaders] == plan.programHeadersAddress)
    // FXSAVE 512 + 63 + the 440-byte frame + 15 + 8 = 1038, rounded up to 16.
    #expect(auxiliary[AuxiliaryType.minimumSignalStackSize] == 1040)
  }
}
