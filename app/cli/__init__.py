"""The ``pharos`` command line: core commands plus each station's subcommands."""
