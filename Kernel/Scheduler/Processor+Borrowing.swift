/// The running CPU's `Processor` and thread without a reference count.
///
/// `Processor.current` is `bootProcessor!`: a load of a global variable, which Swift retains
/// for the caller and releases after the last use, and `processor.thread` (a `var`) is another
/// pair. On the system-call, futex and switch paths that was a quarter of the `swift_release`
/// calls of a futex hand-off. Both objects outlive every use here: the processor is never
/// freed, and the running thread stays referenced by its process's thread table (or the
/// scheduler's dead list) until a switch away from it has finished — so borrowing them is
/// sound as long as the body does not keep the reference past its return.
extension Processor {
  /// Runs `body` with the running CPU's processor, not retained.
  @inline(__always)
  static func borrowingCurrent<Result>(_ body: (Processor) -> Result) -> Result {
    Unmanaged.passUnretained(bootProcessor!)._withUnsafeGuaranteedRef(body)
  }

  /// Runs `body` with the running CPU's processor and the thread it runs, neither retained.
  @inline(__always)
  static func borrowingCurrentThread<Result>(_ body: (Processor, KernelThread) -> Result)
    -> Result
  {
    borrowingCurrent { processor in
      Unmanaged.passUnretained(processor.thread)._withUnsafeGuaranteedRef {
        body(processor, $0)
      }
    }
  }
}
