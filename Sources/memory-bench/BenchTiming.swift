/// Timing helpers shared by every benchmark group.

/// How many times a measurement is repeated; the fastest run is reported, because on a shared
/// machine noise only ever adds time.
let benchmarkTrials = 5

/// The nanoseconds one operation took in the fastest of `benchmarkTrials` runs of `body`, which
/// performs `operations` operations per run. `setUp` runs untimed before each trial.
func nanosecondsPerOperation(
  operations: Int, trials: Int = benchmarkTrials, setUp: () -> Void = {}, _ body: () -> Void
) -> Double {
  let clock = ContinuousClock()
  var best = Double.infinity
  for _ in 0..<trials {
    setUp()
    let elapsed = clock.measure(body)
    best = min(best, nanoseconds(elapsed) / Double(operations))
  }
  return best
}

/// `duration` in nanoseconds.
func nanoseconds(_ duration: Duration) -> Double {
  let (seconds, attoseconds) = duration.components
  return Double(seconds) * 1e9 + Double(attoseconds) / 1e9
}

/// Keeps a value alive so the optimiser cannot delete the work that produced it.
@inline(never) func consume(_ value: UInt64) {
  sink &+= value
}
nonisolated(unsafe) var sink: UInt64 = 0

