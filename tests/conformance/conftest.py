def pytest_configure(config):
    config.addinivalue_line("markers", "slow: boots QEMU (Linux, and our kernel when run-elf exists)")
