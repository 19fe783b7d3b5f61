enum QMPIdle {
  static func run() -> Never { haltForever() }
}
