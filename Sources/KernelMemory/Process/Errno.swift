/// The Linux errno values the memory calls return (asm-generic/errno-base.h).
public enum Errno: Int32, Sendable {
  case EPERM = 1
  case ENOMEM = 12
  case EACCES = 13
  case EFAULT = 14
  case EEXIST = 17
  case EINVAL = 22
  case ENOSYS = 38
}
