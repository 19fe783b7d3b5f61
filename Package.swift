// swift-tools-version: 6.0
import PackageDescription

/// The host build of the memory manager's core.
///
/// `KernelMemory` is the core itself: pure Swift that also compiles in Embedded mode for the
/// kernel (see `make embedded-check`). `KernelMemoryEmulation` is host-only: emulated RAM and a
/// software MMU used by the tests and the benchmark.
let package = Package(
  name: "KernelMemory",
  products: [
    .library(name: "KernelMemory", targets: ["KernelMemory"])
  ],
  targets: [
    .target(name: "KernelMemory"),
    .target(name: "KernelMemoryEmulation", dependencies: ["KernelMemory"]),
    .target(name: "LinuxABI", dependencies: ["KernelMemory"]),
    .executableTarget(
      name: "memory-bench",
      dependencies: ["KernelMemory", "KernelMemoryEmulation"]
    ),
    .testTarget(
      name: "KernelMemoryTests",
      dependencies: ["KernelMemory", "KernelMemoryEmulation"]
    ),
    .testTarget(name: "LinuxABITests", dependencies: ["LinuxABI", "KernelMemory"]),
  ]
)
