"""The workstation shell: main window, login, lock screen, admin and audit views."""
