/// The bytes `execve` parses for a file written at run time: a file still as the initramfs
/// unpacked it is read in place (the archive's bytes, whose page-cache object is the file's
/// own), but a written one lives in its object's frames, which are not contiguous. Its bytes
/// are then copied once to the kernel heap and the page cache is told that those bytes are the
/// file's object (`adoptCachedFile`), so the loader maps the file's own frames — every process
/// running it shares them, as for any file. The copy goes when the file changes or is freed,
/// and at the end of the launch.
enum ExecutableImages {
  static var physical: KernelPhysicalMemory { ProcessRunner.physical }

  /// The bytes of regular file `node` as `execve` reads them.
  static func bytes(of node: Int, in tree: FileTree) -> UnsafeRawBufferPointer {
    let archive = tree.data(of: node)
    guard let object = tree.nodes[node].object, archive.isEmpty else { return archive }
    if let image = tree.nodes[node].executableImage { return buffer(image) }
    let size = Int(tree.nodes[node].size)
    guard size > 0 else { return archive }
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
    let page = Int(FileData.page)
    var offset = 0
    while offset < size {
      let chunk = min(page, size - offset)
      // A page on swap is read back first; a failed read leaves the image unreadable (the
      // loader finds no header: ENOEXEC), never silently zeroed.
      let resident: UnsafeMutableRawPointer?
      do throws(LinuxErrno) {
        resident = try FileData.resident(object, page: UInt64(offset / page))
      } catch {
        copy.deallocate()
        return UnsafeRawBufferPointer(start: nil, count: 0)
      }
      if let frame = resident {
        (copy.baseAddress! + offset).copyMemory(from: frame, byteCount: chunk)
      } else {
        (copy.baseAddress! + offset).initializeMemory(as: UInt8.self, repeating: 0, count: chunk)
      }
      offset += chunk
    }
    let image = FileContents(UnsafeRawBufferPointer(copy))
    physical.adoptCachedFile(image, object: object)
    tree.setExecutableImage(image, of: node)
    return UnsafeRawBufferPointer(copy)
  }

  static func buffer(_ image: FileContents) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(
      start: UnsafeRawPointer(bitPattern: image.address), count: Int(image.byteCount))
  }

  /// `node` changed or goes: its copy is freed and the cache forgets it.
  static func forget(_ node: Int, in tree: FileTree) {
    guard let image = tree.nodes[node].executableImage else { return }
    forget(image)
    tree.setExecutableImage(nil, of: node)
  }

  /// The copy `image` is freed and the cache forgets it.
  static func forget(_ image: FileContents) {
    physical.forgetCachedFile(image, through: DirectMap())
    UnsafeMutableRawPointer(bitPattern: image.address)?.deallocate()
  }

  /// The launch ended: every copy is freed (the page cache, dropped next, holds no bytes).
  static func releaseAll(in tree: FileTree) {
    for node in tree.nodes.indices where tree.nodes[node].executableImage != nil {
      UnsafeMutableRawPointer(bitPattern: tree.nodes[node].executableImage!.address)?.deallocate()
      tree.setExecutableImage(nil, of: node)
    }
  }
}
