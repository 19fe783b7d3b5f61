import KernelMemory
import LinuxABI
import Testing

@Suite struct InitialStackTests {
  static let top: UInt64 = 0x7eff_ffff_f000

  func word(_ stack: InitialStack, at address: UInt64) -> UInt64 {
    let offset = Int(address - stack.stackPointer)
    var value: UInt64 = 0
    for byte in 0..<8 { value |= UInt64(stack.bytes[offset + byte]) << (8 * UInt64(byte)) }
    return value
  }

  func string(_ stack: InitialStack, at address: UInt64) -> String {
    var offset = Int(address - stack.stackPointer)
    var bytes: [UInt8] = []
    while stack.bytes[offset] != 0 {
      bytes.append(stack.bytes[offset])
      offset += 1
    }
    return String(decoding: bytes, as: UTF8.self)
  }

  func make(_ arguments: [String], _ environment: [String] = []) throws -> InitialStack {
    InitialStack(
      top: Self.top, arguments: arguments, environment: environment,
      plan: try ELFTestFile().plan(),
      identity: ProcessIdentity(
        hardwareCapabilities: 0x1234, random: (0x0807_0605_0403_0201, 0x100f_0e0d_0c0b_0a09)))
  }

  @Test func layoutFollowsTheABI() throws {
    let stack = try make(["prog", "one", "two"], ["HOME=/"])
    let sp = stack.stackPointer
    #expect(sp % 16 == 0)
    #expect(sp + UInt64(stack.bytes.count) == Self.top)
    #expect(word(stack, at: sp) == 3)
    #expect(string(stack, at: word(stack, at: sp + 8)) == "prog")
    #expect(string(stack, at: word(stack, at: sp + 24)) == "two")
    #expect(word(stack, at: sp + 32) == 0)
    #expect(string(stack, at: word(stack, at: sp + 40)) == "HOME=/")
    #expect(word(stack, at: sp + 48) == 0)
    var auxv: [UInt64: UInt64] = [:]
    var cursor = sp + 56
    while true {
      let type = word(stack, at: cursor)
      auxv[type] = word(stack, at: cursor + 8)
      cursor += 16
      if type == AuxiliaryType.null { break }
    }
    #expect(auxv[AuxiliaryType.pageSize] == 4096)
    #expect(auxv[AuxiliaryType.entry] == 0x40_1000)
    #expect(auxv[AuxiliaryType.programHeaders] == 0x40_0040)
    #expect(auxv[AuxiliaryType.programHeaderSize] == 56)
    #expect(auxv[AuxiliaryType.programHeaderCount] == 4)
    #expect(auxv[AuxiliaryType.hardwareCapabilities] == 0x1234)
    #expect(auxv[AuxiliaryType.clockTicks] == 100)
    #expect(auxv[AuxiliaryType.secure] == 0)
    #expect(string(stack, at: auxv[AuxiliaryType.platform]!) == "x86_64")
    let random = auxv[AuxiliaryType.random]!
    #expect(random % 16 == 0)
    #expect(word(stack, at: random) == 0x0807_0605_0403_0201)
    #expect(word(stack, at: random + 8) == 0x100f_0e0d_0c0b_0a09)
  }

  @Test(arguments: [0, 1, 2, 5, 17])
  func alignedForAnyArgumentCount(count: Int) throws {
    let arguments = (0..<max(count, 1)).map { String(repeating: "x", count: $0 + 1) }
    let stack = try make(arguments)
    #expect(stack.stackPointer % 16 == 0)
    #expect(word(stack, at: stack.stackPointer) == UInt64(arguments.count))
  }
}
