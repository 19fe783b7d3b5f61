import KernelMemory
import KernelMemoryEmulation
import Testing

@Suite struct EmulationRAMTests {
  static let frame = PhysicalFrame(number: 3)
  static let other = PhysicalFrame(number: 5)

  @Test func freshRAMIsZeroAndSized() {
    let ram = EmulatedRAM(frameCount: 8)
    #expect(ram.byteCount == 8 * 4096)
    #expect(ram.isZeroed(PhysicalFrame(number: 7)))
    #expect(ram.contains(PhysicalFrame(number: 7)))
    #expect(!ram.contains(PhysicalFrame(number: 8)))
  }

  @Test func wordsRoundTripLittleEndian() {
    let ram = EmulatedRAM(frameCount: 8)
    let address = Self.frame.address.advanced(by: 0x10)
    ram.store(0x1122_3344_5566_7788, at: address)
    #expect(ram.load(address) == 0x1122_3344_5566_7788)
    #expect(ram.read(at: address) == 0x88)
    #expect(ram.read(at: address.advanced(by: 7)) == 0x11)
  }

  @Test func zeroAndCopyWorkOnWholeFrames() {
    let ram = EmulatedRAM(frameCount: 8)
    ram.fill(Self.frame, with: 0x3c)
    ram.write(0x7e, at: Self.frame.address.advanced(by: 4095))
    ram.copy(Self.frame, to: Self.other)
    #expect(ram.read(at: Self.other.address) == 0x3c)
    #expect(ram.read(at: Self.other.address.advanced(by: 4095)) == 0x7e)
    ram.zero(Self.frame)
    #expect(ram.isZeroed(Self.frame))
    #expect(!ram.isZeroed(Self.other))
    #expect(ram.isZeroed(Self.frame.advanced(by: 1)))
  }

  @Test func poisonedRAMShowsWhichFramesWereZeroed() {
    let ram = EmulatedRAM(frameCount: 8, contents: .poison)
    #expect(ram.isPoisoned(Self.frame))
    ram.zero(Self.frame)
    #expect(ram.isZeroed(Self.frame))
    #expect(ram.isPoisoned(Self.other))
    ram.poison(Self.frame)
    #expect(ram.load(Self.frame.address) == 0xa5a5_a5a5_a5a5_a5a5)
  }

  @Test func fillCoversExactlyTheRange() {
    let ram = EmulatedRAM(frameCount: 8)
    ram.fill(startingAt: Self.frame.address.advanced(by: 4094), count: 4, with: 0xff)
    #expect(ram.read(at: Self.frame.address.advanced(by: 4093)) == 0)
    #expect(ram.read(at: Self.frame.advanced(by: 1).address.advanced(by: 1)) == 0xff)
    #expect(ram.read(at: Self.frame.address.advanced(by: 4098)) == 0)
  }

  @Test func copiesOfTheReferenceShareMemory() {
    let ram = EmulatedRAM(frameCount: 8)
    let alias = ram
    alias.write(9, at: Self.frame.address)
    #expect(ram.read(at: Self.frame.address) == 9)
  }

  @Test func largeRAMIsCheapUntilTouched() {
    let ram = EmulatedRAM(megabytes: 256)
    let last = PhysicalFrame(number: ram.frameCount - 1)
    ram.store(42, at: last.address)
    #expect(ram.load(last.address) == 42)
    #expect(ram.frameCount == 65536)
  }
}
