/// When a non-canonical terminal `read` is done (`VMIN` / `VTIME`, termios(3), Linux's
/// `n_tty_read`), given how many bytes it has so far:
///
/// - `VMIN` 0, `VTIME` 0: at once, with whatever was there (perhaps nothing);
/// - `VMIN` 0, `VTIME` t: at the first byte, or t tenths of a second after the call began;
/// - `VMIN` m, `VTIME` 0: once it has m bytes (or the count asked, if smaller);
/// - `VMIN` m, `VTIME` t: once it has m bytes, or t tenths after the last byte came — the
///   timer starts with the first byte, so the read may wait forever for that one.
///
/// Times are nanoseconds of the caller's clock.
public struct NonCanonicalRead: Equatable {
  public static let nanosecondsPerTenth: UInt64 = 100_000_000

  /// What the reader does next.
  public enum Step: Equatable {
    /// Return what it has.
    case finish
    /// Wait for input until the deadline (`UInt64.max`: no deadline), then ask again.
    case wait(until: UInt64)
  }

  let minimum: Int
  let interval: UInt64
  /// When the call began, and when the byte count last grew.
  let start: UInt64
  private(set) var lastArrival: UInt64
  private var lastCount = 0

  public init(settings: TerminalSettings, requested: Int, now: UInt64) {
    minimum = min(settings.minimumBytes, requested)
    interval = UInt64(settings.timeoutTenths) * Self.nanosecondsPerTenth
    start = now
    lastArrival = now
  }

  /// The step after the reader took everything readable and has `count` bytes in all.
  public mutating func next(count: Int, now: UInt64) -> Step {
    if count > lastCount {
      lastCount = count
      lastArrival = now
    }
    if minimum == 0 {
      if count > 0 || interval == 0 { return .finish }
      return deadline(after: start, now: now)
    }
    if count >= minimum { return .finish }
    if interval == 0 || count == 0 { return .wait(until: .max) }
    return deadline(after: lastArrival, now: now)
  }

  private func deadline(after moment: UInt64, now: UInt64) -> Step {
    let (end, overflow) = moment.addingReportingOverflow(interval)
    if overflow { return .wait(until: .max) }
    return now >= end ? .finish : .wait(until: end)
  }
}
