import KernelMemory
import Testing

/// The reclaim watermarks (`ReclaimWatermarks`) are Linux 6.1's, computed from the frames the
/// machine has free for use: the figures below are what Linux printed in /proc/zoneinfo
/// under tools/run-linux with the same RAM (summed over its zones).
@Suite struct ReclaimWatermarkTests {
  @Test func aMachineOf128MiBReclaimsWhereLinuxDoes() {
    // Linux, -m 128M: min_free_kbytes 1174 from about 86 000 KiB of free buffer pages;
    // zones DMA + DMA32: min 52 + 240, low 65 + 300, high 78 + 360 pages.
    let marks = ReclaimWatermarks(frames: 86_000 / 4)
    #expect(marks.minimum == 293)  // 1173 KiB
    #expect(marks.low - marks.minimum == marks.minimum / 4)  // min/4 beats 0.1 % of RAM here
    #expect(marks.high - marks.low == marks.low - marks.minimum)
    #expect(abs(Int(marks.minimum) - (52 + 240)) <= 2)
    #expect(abs(Int(marks.low) - (65 + 300)) <= 2)
    #expect(abs(Int(marks.high) - (78 + 360)) <= 2)
  }

  @Test func theMarksAreClampedAndTheScaleFactorTakesOverOnLargeMachines() {
    // Tiny: min_free_kbytes never below 128 KiB (32 frames), never more than all frames.
    #expect(ReclaimWatermarks(frames: 64).minimum == 32)
    #expect(ReclaimWatermarks(frames: 16).minimum == 16)
    // 64 GiB: sqrt(16 × 64 Gi KiB) = 32 MiB; the gap is 0.1 % of RAM (16 Mi frames / 1000).
    let large = ReclaimWatermarks(frames: 16 << 20)
    #expect(large.minimum == 8192)
    #expect(large.low - large.minimum == (16 << 20) * 10 / 10_000)
    // Huge: clamped to 256 MiB.
    #expect(ReclaimWatermarks(frames: 1 << 32).minimum == 262_144 / 4)
  }

  @Test func aPassAimsForHighOnceBelowLow() {
    let marks = ReclaimWatermarks(minimum: 10, low: 20, high: 30)
    #expect(marks.shortfall(free: 25) == 0)
    #expect(marks.shortfall(free: 20) == 0)
    #expect(marks.shortfall(free: 19) == 11)
    #expect(marks.shortfall(free: 0) == 30)
    #expect(marks.userMayAllocate(free: 11))
    #expect(!marks.userMayAllocate(free: 10))
  }
}
