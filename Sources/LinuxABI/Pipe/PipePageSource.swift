/// Where a pipe's pages come from and go back to. The kernel hands out physical frames (through
/// its direct map) charged to the commit ledger; host tests count heap pages. Generic, not an
/// existential, so the pipe compiles in Embedded mode.
public protocol PipePageSource {
  /// A page of `PipeBuffer.pageSize` bytes, or nil when none can be had (the write that
  /// needed it answers ENOMEM if it wrote nothing yet, as Linux's `pipe_write`).
  mutating func allocatePage() -> UnsafeMutableRawPointer?
  /// Gives back a page `allocatePage` returned.
  mutating func releasePage(_ page: UnsafeMutableRawPointer)
}
