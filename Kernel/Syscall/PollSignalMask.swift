/// The signal mask `ppoll` and `pselect6` wait with (fs/select.c: `set_user_sigmask`, then
/// `restore_saved_sigmask_unless`): the thread's mask is replaced for the call; if a signal
/// interrupted it (`ERESTARTNOHAND`) the old mask is kept as `maskAfterSuspend`, which delivery
/// puts back after the handler has run with the call's mask (as `rt_sigsuspend`); otherwise it
/// is put back at once.
enum PollSignalMask {
  /// `ppoll`'s mask argument: none for a null pointer; EINVAL unless `size` is 8, EFAULT.
  static func read(_ address: UInt64, size: UInt64) throws(LinuxErrno) -> SignalSet? {
    guard address != 0 else { return nil }
    guard size == SignalSet.byteCount else { throw .EINVAL }
    return SignalSet(rawValue: try UserMemory.readWord(at: address))
  }

  /// `pselect6`'s sixth argument, `struct { const sigset_t *ss; size_t ss_len; }` (none for a
  /// null pointer; EFAULT), then the mask it names.
  static func readPacked(_ address: UInt64) throws(LinuxErrno) -> SignalSet? {
    guard address != 0 else { return nil }
    let wordSize: UInt64 = 8
    let set = try UserMemory.readWord(at: address)
    let size = try UserMemory.readWord(at: address + wordSize)
    return try read(set, size: size)
  }

  /// Runs `body` with `mask` (if any) as the thread's signal mask.
  static func waiting(with mask: SignalSet?, _ body: () throws(LinuxErrno) -> UInt64)
    throws(LinuxErrno) -> UInt64
  {
    guard let mask else { return try body() }
    let thread = Processor.current.thread
    let old = thread.signals.blocked
    thread.signals.setMask(mask)
    do throws(LinuxErrno) {
      let answer = try body()
      thread.signals.setMask(old)
      return answer
    } catch {
      if error == .ERESTARTNOHAND {
        thread.signals.maskAfterSuspend = old
      } else {
        thread.signals.setMask(old)
      }
      throw error
    }
  }
}
