"""Files around the kernel: scenario files (TOML), client files, and a run's results."""
