import KernelMemory

/// A `FrameSource` wrapper for fault injection and leak checking.
///
/// It counts what the wrapped source hands out and takes back, so a test can check that frame
/// accounting returns exactly to its baseline (the architecture guide's rule); it can be armed
/// to refuse chosen allocations, to drive the out-of-memory paths of the page map; and it
/// records misuse (double release, releasing a frame it never handed out) instead of passing it
/// on, so the wrapped allocator stays consistent and the test can assert on the record.
///
/// A class so the test keeps a handle on the same counters the code under test updates, even
/// when that code stores its frame source by value.
public final class CountingFrameSource<Inner: FrameSource>: FrameSource {
  /// Which allocation requests to refuse. Requests are numbered from 1, counting from the moment
  /// the plan was set (refused ones included).
  public enum FailurePlan: Hashable, Sendable {
    /// Pass every request through.
    case never
    /// Refuse only request number `n`.
    case request(Int)
    /// Let the first `n` requests through, refuse all later ones (`0`: refuse everything).
    case allAfter(Int)
  }

  /// A release the wrapper refused to pass on.
  public enum ReleaseError: Hashable, Sendable {
    /// The frame was handed out, then released, and is released again.
    case doubleRelease(PhysicalFrame)
    /// The frame was never handed out by this source.
    case foreignFrame(PhysicalFrame)
  }

  /// The wrapped source.
  public private(set) var inner: Inner
  /// The frames handed out and not yet released.
  public private(set) var outstandingFrames: Set<PhysicalFrame> = []
  /// Successful allocations.
  public private(set) var allocations = 0
  /// Accepted releases.
  public private(set) var releases = 0
  /// Requests refused, by the plan or because the wrapped source was empty.
  public private(set) var failedAllocations = 0
  /// Misused releases, in order.
  public private(set) var releaseErrors: [ReleaseError] = []
  /// Which requests to refuse; assigning restarts the request count.
  public var failurePlan: FailurePlan = .never {
    didSet { requestsSincePlan = 0 }
  }

  private var requestsSincePlan = 0
  /// Frames handed out at some time, so a second release is told apart from a foreign one.
  private var everHandedOut: Set<PhysicalFrame> = []

  /// Wraps `inner`; nothing is outstanding and every request passes.
  public init(wrapping inner: Inner) { self.inner = inner }

  /// Allocated minus released: zero again when every frame came back.
  public var outstandingCount: Int { outstandingFrames.count }

  public func allocateFrame() -> PhysicalFrame? {
    requestsSincePlan += 1
    guard !planRefuses(requestsSincePlan), let frame = inner.allocateFrame() else {
      failedAllocations += 1
      return nil
    }
    precondition(!outstandingFrames.contains(frame), "the wrapped source handed out \(frame) twice")
    outstandingFrames.insert(frame)
    everHandedOut.insert(frame)
    allocations += 1
    return frame
  }

  public func releaseFrame(_ frame: PhysicalFrame) {
    guard outstandingFrames.remove(frame) != nil else {
      let error: ReleaseError =
        everHandedOut.contains(frame) ? .doubleRelease(frame) : .foreignFrame(frame)
      releaseErrors.append(error)
      return
    }
    releases += 1
    inner.releaseFrame(frame)
  }

  private func planRefuses(_ request: Int) -> Bool {
    switch failurePlan {
    case .never: return false
    case .request(let refused): return request == refused
    case .allAfter(let allowed): return request > allowed
    }
  }
}
