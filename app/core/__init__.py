"""Qt-free, I/O-free domain core: errors, tasks, measurements, verdicts, roles."""
