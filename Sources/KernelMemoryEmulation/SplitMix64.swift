/// SplitMix64: a tiny, fast, well-mixed pseudo-random generator (Steele, Lea and Flood, 2014).
///
/// Every randomised host test and the benchmark draw from it, so a run replays exactly from its
/// seed: a failing model-based test names the seed that reproduces it.
public struct SplitMix64: RandomNumberGenerator {
  private var state: UInt64

  /// A generator whose sequence is fixed by `seed`.
  public init(seed: UInt64) { state = seed }

  public mutating func next() -> UInt64 {
    state &+= 0x9e37_79b9_7f4a_7c15
    var mixed = state
    mixed = (mixed ^ (mixed >> 30)) &* 0xbf58_476d_1ce4_e5b9
    mixed = (mixed ^ (mixed >> 27)) &* 0x94d0_49bb_1331_11eb
    return mixed ^ (mixed >> 31)
  }
}
