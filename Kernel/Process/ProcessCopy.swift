import KernelSupport

/// The child of `fork`/`vfork`/`clone`: a new process that copies what Linux copies.
enum ProcessCopy {
  /// A child of `parent` running in `space` (its own copy, or the parent's lent for vfork),
  /// in the parent's process group and session, added to the parent's children. Its thread
  /// and its table entry are the caller's to add.
  static func make(of parent: UserProcess, space: ProcessAddressSpace, lent: Bool) -> UserProcess {
    let scheduler = Scheduler.shared
    let child = UserProcess(
      id: scheduler.table.allocateID(), name: parent.name,
      usableFrames: MemoryManager.bitmap!.usableFrameCount)
    child.addressSpace = space
    child.spaceLender = lent ? parent : nil
    child.descriptors = parent.descriptors  // a copy of the table; the descriptions shared
    child.fileSystem = parent.fileSystem
    child.workingDirectory = parent.workingDirectory
    child.creationMask = parent.creationMask
    child.program = parent.program
    child.procWorkingDirectory = parent.procWorkingDirectory
    child.signals = inheritedSignals(parent.signals)
    child.limits = parent.limits
    child.groupID = parent.groupID
    child.sessionID = parent.sessionID
    child.peakResidentFrames = space.residentFrames
    child.enteredAt = timestamp_counter_read()
    child.parent = parent
    parent.children.append(child)
    return child
  }

  /// The dispositions of `parent` (the mask is its thread's: `ThreadSignalState.inheritedByFork`), with nothing pending (POSIX: a child's pending
  /// set is empty).
  static func inheritedSignals(_ parent: SignalState) -> SignalState {
    var signals = SignalState()
    for number in 1...LinuxSignal.count {
      guard let signal = LinuxSignal(rawValue: number), !signal.isKernelOnly else { continue }
      _ = try? signals.changeAction(of: number, to: parent.action(for: signal))
    }
    return signals
  }
}
