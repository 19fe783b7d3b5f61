import KernelSupport

/// Random words for `AT_RANDOM` and `getrandom`: RDRAND when the CPU has it
/// (CPUID.01H:ECX.RDRAND[bit 30]), else a SplitMix64 generator seeded from the TSC. The
/// machine's one source is `Machine.random`.
///
/// LOCK: the machine's random lock once a second CPU exists (or one generator per CPU, as
/// Linux's per-CPU batched entropy): `next` advances the SplitMix state.
struct RandomSource {
  static let rdrandBit: UInt32 = 1 << 30
  /// RDRAND may fail transiently; Intel recommends 10 retries.
  static let retries = 10
  static let hasInstruction = cpu_identify(1, 0).ecx & rdrandBit != 0
  var state: UInt64 = timestamp_counter_read()

  mutating func next() -> UInt64 {
    if Self.hasInstruction {
      var value: UInt64 = 0
      for _ in 0..<Self.retries where random_word_read(&value) != 0 { return value }
    }
    return splitMix()
  }

  /// SplitMix64 (Steele, Lea, Flood 2014): the constants are the published ones.
  mutating func splitMix() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
    return mixed ^ (mixed >> 31)
  }
}
