/// The FXSAVE image a signal frame carries as its `fpstate` (SDM Vol. 1 §10.5.1, table 10-2),
/// and what `rt_sigreturn` must check before FXRSTOR loads one a handler may have written.
public enum FXSaveImage {
  /// The image's size.
  public static let byteCount = 512
  /// FCW (x87 control word) and FSW (status word) offsets.
  public static let fcwOffset = 0
  public static let fswOffset = 2
  /// MXCSR and MXCSR_MASK offsets.
  public static let mxcsrOffset = 24
  public static let mxcsrMaskOffset = 28
  /// `sw_reserved` (`struct _fpx_sw_bytes`, bytes 464…511): where an XSAVE kernel puts
  /// `FP_XSTATE_MAGIC1` and the extended size. With FXSAVE only, Linux leaves it zero (no
  /// magic): the libcs then treat the image as plain FXSAVE, and so does `rt_sigreturn`.
  public static let softwareReservedOffset = 464
  /// The MXCSR_MASK to assume when the CPU stores 0 there (SDM §11.6.6: 0xFFBF, DAZ
  /// unsupported).
  public static let defaultMXCSRMask: UInt32 = 0xffbf

  /// Makes a user-supplied image safe for FXRSTOR: MXCSR bits the CPU does not support
  /// (outside `supportedMask`, the CPU's own MXCSR_MASK) would raise #GP in the kernel, so
  /// they are cleared, as Linux's `fpu__restore_sig` does (`mxcsr &= mxcsr_feature_mask`);
  /// the software-reserved bytes are zeroed.
  public static func sanitize(_ image: inout [UInt8], supportedMask: UInt32) {
    let mask = supportedMask == 0 ? defaultMXCSRMask : supportedMask
    var writer = ByteWriter(bytes: image)
    let mxcsr = ByteReader(bytes: image).get32(at: mxcsrOffset)
    writer.put32(mxcsr & mask, at: mxcsrOffset)
    for index in softwareReservedOffset..<byteCount { writer.bytes[index] = 0 }
    image = writer.bytes
  }

  /// The x87 control and status words and MXCSR of an image, for an FPU exception's si_code.
  public static func status(of image: [UInt8]) -> FPUStatus {
    let reader = ByteReader(bytes: image)
    return FPUStatus(
      controlWord: reader.get16(at: fcwOffset), statusWord: reader.get16(at: fswOffset),
      mxcsr: reader.get32(at: mxcsrOffset))
  }
}

/// The FPU's exception state when #MF or #XM was raised.
public struct FPUStatus: Equatable, Sendable {
  public var controlWord: UInt16
  public var statusWord: UInt16
  public var mxcsr: UInt32

  public init(controlWord: UInt16, statusWord: UInt16, mxcsr: UInt32) {
    self.controlWord = controlWord
    self.statusWord = statusWord
    self.mxcsr = mxcsr
  }
}
