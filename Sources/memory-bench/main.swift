// The host benchmark of the memory manager's core (`make bench`, a release build).
//
// Each group of rows lives in its own file and appends to one table; add a group (map+unmap,
// translate, …) by writing a function like `runFrameBenchmarks(into:)` and calling it below.
// `--callgrind-pair N` runs only a fixed amount of work for tools/callgrind-frames.sh.

let arguments = CommandLine.arguments
if let mode = CallgrindMode(arguments: arguments) {
  mode.run()
} else {
  var table = BenchTable()
  table.printHeader()
  runFrameBenchmarks(into: &table)
  runPageMapBenchmarks(into: &table)
  runRegionTableBenchmarks(into: &table)
  runForkBenchmarks(into: &table)
  table.printFooter()
}
