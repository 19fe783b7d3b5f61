/// The page trap's memory of faults it answered without changing anything, so that a fault it
/// cannot make progress on ends the process instead of being retried forever.
///
/// A fault on a page that is mapped and already permits the access is spurious: the CPU used a
/// stale TLB entry. The trap invalidates the page and lets the instruction run again — once.
/// Every change of a present entry is flushed (`PendingInvalidation`, `UnmappedPage`), so after
/// that invalidation the CPU translates the page afresh: the same fault again, with no change
/// in between, is not a stale entry but something no page-table change can fix (an emulator's
/// quirk, a hardware fault, a kernel bug), and must not become an endless loop.
///
/// An instruction may fault on several pages (an operand or a far-return frame crossing a page
/// boundary), so the last few spurious faults are remembered, not just one: a loop that
/// alternates between pages repeats one of them. Any fault that changes something — backs a
/// page, replaces the zero page, brings a leaf in line with its region — is progress and
/// clears the memory.
struct FaultProgress {
  /// The last spurious faults since the last progress, oldest overwritten first: the page
  /// address with the error code in the low 12 bits (which a page address leaves free). Eight
  /// is more pages than one instruction can fault on (code and two operands, each crossing a
  /// page boundary).
  private var recent = InlineArray<8, UInt64>(repeating: 0)
  /// Spurious faults since the last progress.
  private var run = 0

  /// However the faults vary, this many spurious faults in a row with no progress end it.
  static let runLimit = 64

  /// Records a fault answered without change; false when the same fault was already answered
  /// that way since the last progress, or too many were (retrying would go on forever).
  mutating func admitsRetry(page: UInt64, errorCode: PageFaultErrorCode) -> Bool {
    let key = page | (errorCode.rawValue & Self.errorCodeBits)
    let remembered = min(run, recent.count)
    for index in 0..<remembered where recent[index] == key { return false }
    guard run < Self.runLimit else { return false }
    recent[run % recent.count] = key
    run += 1
    return true
  }

  /// The process got further: forget every spurious fault.
  mutating func progressed() { run = 0 }

  /// The low 12 bits of a page address are free for the error code's bits (0–6 are defined).
  private static let errorCodeBits: UInt64 = 0xfff
}
