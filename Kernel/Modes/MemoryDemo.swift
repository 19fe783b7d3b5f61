enum MemoryDemo {
  static func run() {}
}
