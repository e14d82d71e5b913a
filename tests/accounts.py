"""Accounts for CLI tests of commands that need a login (real AuthService, real store)."""
from __future__ import annotations

from pathlib import Path

PASSWORD = "Corr3ct-Horse-Battery"


def make_user(data_dir: Path, username: str, *roles: str, password: str = PASSWORD,
              config: Path | None = None) -> str:
    """Create ``username`` with ``roles`` in the data folder's store (as the machine's
    administrator would with `pharos users add`); returns the password."""
    from app.config import load_config
    from app.setup_wizard import open_services

    cfg = load_config(config, data_dir=Path(data_dir), env={})
    services = open_services(cfg)
    try:
        if services.auth.get(username) is None:
            services.auth.create_user(username, username.title(), list(roles) or ["operator"],
                                      password, by=None, reason="test account",
                                      must_change_password=False)
    finally:
        services.close()
    return password
