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

  /// Whether FXRSTOR may load a user-supplied image: MXCSR bits outside `supportedMask` (the
  /// CPU's own MXCSR_MASK; 0 means `defaultMXCSRMask`) would raise #GP — in the kernel. Linux
  /// 6.1 lets FXRSTOR fault on the user's buffer and treats that as a bad frame (SIGSEGV);
  /// this kernel checks first, to the same end.
  public static func isLoadable(_ image: [UInt8], supportedMask: UInt32) -> Bool {
    image.withUnsafeBytes { isLoadable(at: $0.baseAddress!, supportedMask: supportedMask) }
  }

  /// `isLoadable` of the image at `image` (`byteCount` bytes).
  public static func isLoadable(at image: UnsafeRawPointer, supportedMask: UInt32) -> Bool {
    let mask = supportedMask == 0 ? defaultMXCSRMask : supportedMask
    let mxcsr = UInt32(
      littleEndian: image.loadUnaligned(fromByteOffset: mxcsrOffset, as: UInt32.self))
    return mxcsr & ~mask == 0
  }

  /// Zeroes the software-reserved bytes before the image is loaded (nothing there means
  /// anything to FXRSTOR; they must not leak into the next frame either).
  public static func clearSoftwareReserved(_ image: inout [UInt8]) {
    image.withUnsafeMutableBytes { clearSoftwareReserved(at: $0.baseAddress!) }
  }

  /// `clearSoftwareReserved` of the image at `image` (`byteCount` bytes, 8-byte aligned).
  public static func clearSoftwareReserved(at image: UnsafeMutableRawPointer) {
    for offset in stride(from: softwareReservedOffset, to: byteCount, by: 8) {
      image.storeBytes(of: UInt64(0), toByteOffset: offset, as: UInt64.self)
    }
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
