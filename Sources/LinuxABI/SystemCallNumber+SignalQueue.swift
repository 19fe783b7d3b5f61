extension SystemCallNumber {
  /// `rt_tgsigqueueinfo` (`rt_sigqueueinfo`, 129, is beside the signal waits).
  public static let rt_tgsigqueueinfo: UInt64 = 297
}
