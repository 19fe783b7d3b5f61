/// The benchmark's output: one aligned row per measurement.
struct BenchTable {
  /// Column widths: benchmark name, memory size, occupancy, ns/op, ops/s.
  private let widths = [34, 9, 10, 13, 12]

  func printHeader() {
    printRow(["benchmark", "memory", "occupied", "ns/op", "ops/s"])
    print(String(repeating: "-", count: widths.reduce(0, +) + widths.count - 1))
  }

  /// Prints one measurement; `detail` is the occupancy or any other condition of the row.
  func add(_ name: String, memory: String, detail: String, nanoseconds: Double) {
    printRow([name, memory, detail, fixed(nanoseconds, decimals: 1), rate(nanoseconds)])
  }

  func printFooter() {
    print("(fastest of \(benchmarkTrials) trials; one op = the whole pair where the name says so)")
  }

  private func printRow(_ cells: [String]) {
    var line = ""
    for (index, cell) in cells.enumerated() {
      let padding = String(repeating: " ", count: max(0, widths[index] - cell.count))
      line += index == 0 ? cell + padding : " " + padding + cell
    }
    print(line)
  }

  /// Operations per second, scaled to k/M/G.
  private func rate(_ nanoseconds: Double) -> String {
    let perSecond = 1e9 / nanoseconds
    if perSecond >= 1e9 { return fixed(perSecond / 1e9, decimals: 2) + " G" }
    if perSecond >= 1e6 { return fixed(perSecond / 1e6, decimals: 1) + " M" }
    if perSecond >= 1e3 { return fixed(perSecond / 1e3, decimals: 1) + " k" }
    return fixed(perSecond, decimals: 1) + "  "
  }

  /// `value` with `decimals` digits after the point (no Foundation).
  private func fixed(_ value: Double, decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = Int((value * scale).rounded())
    let whole = String(scaled / Int(scale))
    guard decimals > 0 else { return whole }
    let fraction = String(scaled % Int(scale))
    return whole + "." + String(repeating: "0", count: decimals - fraction.count) + fraction
  }
}

/// `bytes` as "128 MiB", "16 GiB", "1 TiB".
func sizeLabel(_ bytes: UInt64) -> String {
  let units = ["B", "KiB", "MiB", "GiB", "TiB"]
  var value = bytes
  var unit = 0
  while value >= 1024 && value % 1024 == 0 && unit < units.count - 1 {
    value /= 1024
    unit += 1
  }
  return String(value) + " " + units[unit]
}
