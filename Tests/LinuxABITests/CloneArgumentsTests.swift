import Testing

@testable import LinuxABI

private func bytes(_ fields: [UInt64], size: Int) -> [UInt8] {
  var result = [UInt8](repeating: 0, count: size)
  for (index, value) in fields.enumerated() where index * 8 + 8 <= size {
    for byte in 0..<8 {
      result[index * 8 + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
    }
  }
  return result
}

@Suite struct CloneArgumentsTests {
  @Test func sizeRules() throws {
    #expect(throws: LinuxErrno.EINVAL) { try CloneArguments.checkSize(63) }
    #expect(throws: LinuxErrno.E2BIG) { try CloneArguments.checkSize(4097) }
    try CloneArguments.checkSize(64)
    try CloneArguments.checkSize(4096)
  }

  @Test func readsTheFieldsAndTheStackTop() throws {
    let threadFlags: UInt64 = 0x3d_0f00  // what glibc's pthread_create passes (no CLONE_DETACHED: EINVAL in clone3)
    let arguments = try CloneArguments(
      bytes: bytes([threadFlags, 0, 0x1000, 0x2000, 0, 0x10000, 0x4000, 0x3000], size: 64))
    #expect(arguments.flags == threadFlags)
    #expect(arguments.childTID == 0x1000 && arguments.parentTID == 0x2000)
    #expect(arguments.stackPointer == 0x14000)
    #expect(arguments.tls == 0x3000)
    #expect(arguments.legacyFlags == threadFlags)
  }

  @Test func unknownTrailingBytesMustBeZero() throws {
    var raw = bytes([0, 0, 0, 0, 17], size: 96)
    _ = try CloneArguments(bytes: raw)
    raw[95] = 1
    #expect(throws: LinuxErrno.E2BIG) { try CloneArguments(bytes: raw) }
  }

  @Test func invalidCombinations() {
    let thread: UInt64 = 0x10000 | 0x800 | 0x100
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([thread, 0, 0, 0, 17], size: 64))
    }
    #expect(throws: LinuxErrno.EINVAL) { try CloneArguments(bytes: bytes([0x11], size: 64)) }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0, 0, 0, 0, 0x100], size: 64))
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0, 0, 0, 0, 0, 0x1000], size: 64))
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0, 0, 0, 0, 0, 0, 0x1000], size: 64))
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0x800 | 0x1_0000_0000], size: 64))
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0, 0, 0, 0, 0, 0, 0, 0, 0, 1], size: 80))
    }
    #expect(throws: LinuxErrno.EINVAL) {
      try CloneArguments(bytes: bytes([0x2_0000_0000], size: 80))  // INTO_CGROUP needs VER2
    }
  }
}
