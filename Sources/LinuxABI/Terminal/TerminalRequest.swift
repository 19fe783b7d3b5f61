/// The terminal `ioctl` requests the console answers (include/uapi/asm-generic/ioctls.h,
/// which x86 uses), and `TCFLSH`'s and `TCXONC`'s arguments (termbits-common.h).
public enum TerminalRequest {
  public static let TCGETS: UInt64 = 0x5401
  public static let TCSETS: UInt64 = 0x5402
  /// Set after output drains (it always has: output is synchronous here).
  public static let TCSETSW: UInt64 = 0x5403
  /// Set after output drains, discarding pending input.
  public static let TCSETSF: UInt64 = 0x5404
  /// Send a break (nothing to do on this line) and wait for output to drain (`tcdrain`).
  public static let TCSBRK: UInt64 = 0x5409
  public static let TCXONC: UInt64 = 0x540A
  public static let TCFLSH: UInt64 = 0x540B
  public static let TIOCSCTTY: UInt64 = 0x540E
  public static let TIOCGPGRP: UInt64 = 0x540F
  public static let TIOCSPGRP: UInt64 = 0x5410
  public static let TIOCOUTQ: UInt64 = 0x5411
  public static let TIOCGWINSZ: UInt64 = 0x5413
  public static let TIOCSWINSZ: UInt64 = 0x5414
  /// `FIONREAD` / `TIOCINQ`.
  public static let FIONREAD: UInt64 = 0x541B
  public static let TIOCNOTTY: UInt64 = 0x5422
  public static let TIOCGSID: UInt64 = 0x5429
  public static let FIONBIO: UInt64 = 0x5421

  /// `TCFLSH` queue selectors.
  public static let TCIFLUSH: UInt64 = 0
  public static let TCOFLUSH: UInt64 = 1
  public static let TCIOFLUSH: UInt64 = 2
  /// `TCXONC` actions.
  public static let TCOOFF: UInt64 = 0
  public static let TCIOFF: UInt64 = 2
  public static let TCION: UInt64 = 3
}
