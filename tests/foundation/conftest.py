from __future__ import annotations

import pytest

from app.bootstrap import Workstation

ADMIN_PW = "Adm1n-secret-pw"


@pytest.fixture
def ws(data_dir):
    w = Workstation.open(data_dir=data_dir, with_stations=False, start_loop=False,
                         admin_password=ADMIN_PW)
    yield w
    w.close()


@pytest.fixture
def admin(ws):
    return ws.auth.authenticate("admin", ADMIN_PW)
