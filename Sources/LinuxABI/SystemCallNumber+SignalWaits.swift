extension SystemCallNumber {
  // The calls that wait for signals or send them on a timer (issue 10: `pause`,
  // `rt_sigsuspend`, `rt_sigtimedwait`, `alarm`, `setitimer`, `getitimer`), and the restart
  // of an interrupted sleep. Kept beside the table, in a file of their own, so that the
  // branches adding calls at once do not edit the same lines.
  public static let pause: UInt64 = 34
  public static let getitimer: UInt64 = 36
  public static let alarm: UInt64 = 37
  public static let setitimer: UInt64 = 38
  public static let rt_sigtimedwait: UInt64 = 128
  public static let rt_sigqueueinfo: UInt64 = 129
  public static let rt_sigsuspend: UInt64 = 130
  public static let restart_syscall: UInt64 = 219
}
