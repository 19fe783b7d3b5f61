/// Who was running when a page fault happened, which decides what a fault can mean.
public enum FaultOrigin: Sendable, Equatable {
  /// A process in ring 3.
  case user
  /// The kernel, inside a routine that copies from or to user memory on a process's behalf:
  /// a fault there is the process's bad pointer, answered with `EFAULT`, not a kernel bug.
  case kernelAccessingUser
  /// The kernel anywhere else: a fault is a kernel bug.
  case kernel
}

/// A page fault as the trap handler sees it: the faulting address (CR2), the error code, and
/// who was running.
public struct PageFault: Sendable, Equatable, CustomStringConvertible {
  /// The linear address that faulted (CR2).
  public let address: UInt64
  /// The CPU's error code.
  public let errorCode: PageFaultErrorCode
  /// Where the fault came from.
  public let origin: FaultOrigin

  public init(address: UInt64, errorCode: PageFaultErrorCode, origin: FaultOrigin) {
    self.address = address
    self.errorCode = errorCode
    self.origin = origin
  }

  public var description: String {
    "page fault at " + hex(address) + " (" + errorCode.description + ")"
  }
}
