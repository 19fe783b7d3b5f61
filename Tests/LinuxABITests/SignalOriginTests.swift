import LinuxABI
import Testing

/// The `siginfo_t` rt_sigtimedwait fills in (asm-generic/siginfo.h offsets), and the origins
/// kept per pending signal.
@Suite struct SignalOriginTests {
  @Test func killImageHasSenderFields() {
    let image = SignalOrigin(code: SignalOrigin.SI_USER, pid: 0x1234, uid: 7).image(for: .SIGUSR1)
    #expect(image.count == 128)
    #expect(image[0] == 10 && image[8] == 0)
    #expect(image[16] == 0x34 && image[17] == 0x12 && image[20] == 7)
    #expect(image[24] == 0)
  }

  @Test func kernelImageHasNoSender() {
    let image = SignalOrigin(code: SignalOrigin.SI_KERNEL, pid: 9).image(for: .SIGALRM)
    #expect(image[0] == 14 && image[8] == 0x80 && image[16] == 0)
  }

  @Test func tkillCodeIsNegative() {
    let image = SignalOrigin(code: SignalOrigin.SI_TKILL, pid: 3).image(for: .SIGTERM)
    #expect(image[8] == 0xfa && image[9] == 0xff && image[10] == 0xff && image[11] == 0xff)
  }

  @Test func childImageHasStatus() {
    let image = SignalOrigin(code: SignalOrigin.CLD_EXITED, pid: 5, status: 42).image(
      for: .SIGCHLD)
    #expect(image[8] == 1 && image[16] == 5 && image[24] == 42)
  }

  @Test func originsAreTakenOnceWithAFallback() {
    var origins = SignalOrigins()
    let fallback = SignalOrigin(code: SignalOrigin.SI_USER, pid: 1)
    origins.record(.SIGUSR2, SignalOrigin(code: SignalOrigin.SI_USER, pid: 2))
    origins.record(.SIGUSR2, SignalOrigin(code: SignalOrigin.SI_TKILL, pid: 3))
    #expect(origins.take(.SIGUSR2, fallback: fallback).pid == 3)
    #expect(origins.take(.SIGUSR2, fallback: fallback) == fallback)
  }
}
