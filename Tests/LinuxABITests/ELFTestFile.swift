import KernelMemory
import LinuxABI

/// Builds small ELF64 images in memory for the loader tests.
struct ELFTestFile {
  var type: UInt16 = ELF.typeExecutable
  var machine: UInt16 = ELF.machineX86_64
  var entry: UInt64 = 0x40_1000
  var headers: [ProgramHeader] = ELFTestFile.standardHeaders
  var phentsize: UInt16 = 56
  var phnumOverride: UInt16? = nil
  var fileSize = 0x3000
  var identification: [UInt8] = [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]

  /// Text (r-x) at 0x401000 from offset 0x1000, data+bss (rw-) at 0x402000 from 0x2000.
  static let standardHeaders: [ProgramHeader] = [
    ProgramHeader(
      type: ELF.segmentLoad, flags: ELF.flagRead, offset: 0, virtualAddress: 0x40_0000,
      fileSize: 0x200, memorySize: 0x200, alignment: 0x1000),
    ProgramHeader(
      type: ELF.segmentLoad, flags: ELF.flagRead | ELF.flagExecute, offset: 0x1000,
      virtualAddress: 0x40_1000, fileSize: 0x800, memorySize: 0x800, alignment: 0x1000),
    ProgramHeader(
      type: ELF.segmentLoad, flags: ELF.flagRead | ELF.flagWrite, offset: 0x2000,
      virtualAddress: 0x40_2000, fileSize: 0x100, memorySize: 0x3000, alignment: 0x1000),
    ProgramHeader(
      type: ELF.segmentGNUStack, flags: ELF.flagRead | ELF.flagWrite, offset: 0,
      virtualAddress: 0, fileSize: 0, memorySize: 0, alignment: 16),
  ]

  func bytes() -> [UInt8] {
    var image = [UInt8](repeating: 0, count: max(fileSize, 64 + 56 * headers.count))
    for (index, byte) in identification.enumerated() { image[index] = byte }
    put(&image, 16, UInt64(type), 2)
    put(&image, 18, UInt64(machine), 2)
    put(&image, 20, 1, 4)
    put(&image, 24, entry, 8)
    put(&image, 32, 64, 8)
    put(&image, 52, 64, 2)
    put(&image, 54, UInt64(phentsize), 2)
    put(&image, 56, UInt64(phnumOverride ?? UInt16(headers.count)), 2)
    for (index, header) in headers.enumerated() {
      let base = 64 + index * 56
      put(&image, base, UInt64(header.type), 4)
      put(&image, base + 4, UInt64(header.flags), 4)
      put(&image, base + 8, header.offset, 8)
      put(&image, base + 16, header.virtualAddress, 8)
      put(&image, base + 24, header.virtualAddress, 8)
      put(&image, base + 32, header.fileSize, 8)
      put(&image, base + 40, header.memorySize, 8)
      put(&image, base + 48, header.alignment, 8)
    }
    return Array(image.prefix(fileSize))
  }

  func put(_ image: inout [UInt8], _ offset: Int, _ value: UInt64, _ size: Int) {
    for byte in 0..<size { image[offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * byte)) }
  }

  func plan() throws(ELFError) -> LoadPlan {
    let image = bytes()
    let result: Result<LoadPlan, ELFError> = image.withUnsafeBytes { raw in
      do throws(ELFError) {
        return .success(try LoadPlan(file: ELFBytes(raw)))
      } catch {
        return .failure(error)
      }
    }
    return try result.get()
  }

  func error() -> ELFError? {
    do {
      _ = try plan()
      return nil
    } catch {
      return error
    }
  }
}
