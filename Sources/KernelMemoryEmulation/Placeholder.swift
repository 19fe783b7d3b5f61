// Host-only emulation of RAM and the MMU.
