/// A program file held as running (Linux's `mm->exe_file` with its `deny_write_access`): while
/// one lives, the file cannot be opened for writing, truncated, or be open for writing and
/// executed (ETXTBSY, `FileTree.denyWriteAccess`). It keeps the inode alive as an open file
/// does (`OpenNode`), so a running program's file unlinked meanwhile is not reused.
///
/// `execve` takes one when it opens a file (the program, a script's interpreter, the ELF
/// interpreter — refused while a description may write it); the final program's is kept in
/// `ProgramRecord.runningImage` (shared by fork, as the address space's copy is), let go
/// with the address space (`UserProcess.giveUpAddressSpace`) — at exit or the next exec.
///
/// LOCK: the tree's (FileTree+WriteAccess).
final class RunningImage {
  let file: OpenNode

  init(tree: FileTree, node: Int) throws(LinuxErrno) {
    try tree.denyWriteAccess(node)
    file = OpenNode(
      tree: tree, node: node, device: nil, readable: true, writable: false, statusFlags: 0)
  }

  deinit {
    guard !file.tree.isDiscarded else { return }
    file.tree.allowWriteAccess(file.node)
  }
}
