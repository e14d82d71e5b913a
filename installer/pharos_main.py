"""Entry script of the frozen bundle (PyInstaller): the same ``pharos`` command.

``freeze_support`` first: the tunnel test runs sequences in a spawned child process,
which in a frozen build re-enters this script.
"""
import multiprocessing

if __name__ == "__main__":
    multiprocessing.freeze_support()
    from app.main import main

    raise SystemExit(main())
