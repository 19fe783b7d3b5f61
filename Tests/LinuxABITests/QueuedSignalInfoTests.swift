import Testing

@testable import LinuxABI

/// `rt_sigqueueinfo`'s siginfo rules (kernel/signal.c), host-side; tests/programs/
/// sigqueueinfo.c checks them against Linux 6.1.
struct QueuedSignalInfoTests {
  func bytes(code: Int32, tail: UInt8 = 0) -> [UInt8] {
    var image = SignalInfo(signal: .SIGHUP, code: code, details: .sender(pid: 1234, uid: 42)).image
    image[QueuedSignalInfo.keptBytes] = tail
    return image
  }

  @Test func keptFieldsReachTheReceiverWithTheSignalSent() throws {
    let queued = try QueuedSignalInfo(
      decoding: bytes(code: QueuedSignalInfo.SI_QUEUE), signalNumber: 10)
    let image = queued.info(.SIGUSR1).image
    #expect(image[0] == 10 && image[8] == 0xff)  // si_signo replaced; si_code -1
    #expect(image[16] == 0xd2 && image[17] == 0x04 && image[20] == 42)  // si_pid 1234, si_uid 42
  }

  @Test func unknownLayoutsMustNotCarryMoreThanTheKernelKeeps() throws {
    #expect(throws: LinuxErrno.E2BIG) {
      try QueuedSignalInfo(decoding: bytes(code: -100, tail: 1), signalNumber: 10)
    }
    #expect(throws: LinuxErrno.E2BIG) {
      try QueuedSignalInfo(decoding: bytes(code: 0x7f, tail: 1), signalNumber: 10)
    }
    _ = try QueuedSignalInfo(decoding: bytes(code: -100), signalNumber: 10)
    _ = try QueuedSignalInfo(
      decoding: bytes(code: QueuedSignalInfo.SI_QUEUE, tail: 1), signalNumber: 10)
    _ = try QueuedSignalInfo(decoding: bytes(code: 3, tail: 1), signalNumber: 10)  // ≤ NSIGPOLL
    #expect(throws: LinuxErrno.E2BIG) {  // SIGBUS's codes end at NSIGBUS 5
      try QueuedSignalInfo(decoding: bytes(code: 6, tail: 1), signalNumber: 7)
    }
  }

  @Test func onlyNegativeCodesOtherThanTkillGoToOthers() throws {
    for (code, allowed) in [(Int32(0), false), (0x80, false), (-6, false), (-1, true), (-60, true)]
    {
      let queued = try QueuedSignalInfo(decoding: bytes(code: code), signalNumber: 10)
      #expect(queued.maySend(from: 5, to: 7) == allowed)
      #expect(queued.maySend(from: 7, to: 7))
    }
  }
}
