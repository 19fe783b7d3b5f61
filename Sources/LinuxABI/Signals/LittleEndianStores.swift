extension UnsafeMutableRawPointer {
  /// Stores `value` little-endian at `offset` bytes from here: the one store of the signal
  /// structures the delivery path writes in place (`SignalFrame`, `SignalInfo`,
  /// `SignalRegisters`), whose fields are at fixed offsets of the x86-64 ABI's layouts.
  @inline(__always)
  func storeLittleEndian<Value: FixedWidthInteger>(_ value: Value, at offset: Int) {
    storeBytes(of: value.littleEndian, toByteOffset: offset, as: Value.self)
  }

  /// Zeroes `byteCount` bytes from here (a multiple of 8, 8-byte aligned) a quadword at a
  /// time: the bytes of a structure its layout does not name.
  @inline(__always)
  func zeroQuadwords(_ byteCount: Int) {
    for offset in stride(from: 0, to: byteCount, by: MemoryLayout<UInt64>.size) {
      storeBytes(of: UInt64(0), toByteOffset: offset, as: UInt64.self)
    }
  }
}
