/// Linux's rule that a running program's file cannot be written (ETXTBSY), kept as its
/// `i_writecount`: each open file description that may write a file counts up
/// (`getWriteAccess`), each program image running it counts down (`denyWriteAccess`). Opening
/// a running program's file for writing (or with `O_TRUNC`) and `truncate` of it fail; so does
/// `execve` of a file some description may write.
///
/// LOCK: the tree's lock (the one every `FileTree` change takes once a second CPU exists).
extension FileTree {
  /// `get_write_access`: one more description that may write `node`; ETXTBSY while a program
  /// runs it.
  public func getWriteAccess(_ node: Int) throws(LinuxErrno) {
    try checkWritable(node)
    nodes[node].writeAccess += 1
  }

  /// `put_write_access`: a writing description of `node` went.
  public func putWriteAccess(_ node: Int) {
    precondition(nodes[node].writeAccess > 0, "a file's writers went below zero")
    nodes[node].writeAccess -= 1
  }

  /// ETXTBSY when a program runs `node` (what `O_TRUNC` and `truncate` ask, which change the
  /// file without keeping a writing description).
  public func checkWritable(_ node: Int) throws(LinuxErrno) {
    guard nodes[node].writeAccess >= 0 else { throw .ETXTBSY }
  }

  /// `deny_write_access`: a program image runs `node` from now on; ETXTBSY while a
  /// description may write it.
  public func denyWriteAccess(_ node: Int) throws(LinuxErrno) {
    guard nodes[node].writeAccess <= 0 else { throw .ETXTBSY }
    nodes[node].writeAccess -= 1
  }

  /// `allow_write_access`: a program image running `node` went.
  public func allowWriteAccess(_ node: Int) {
    precondition(nodes[node].writeAccess < 0, "a file's running images went below zero")
    nodes[node].writeAccess += 1
  }
}
