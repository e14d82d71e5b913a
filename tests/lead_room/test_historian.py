"""Historian: deadband + heartbeat recording, visible gaps, exact aggregates, reports."""
from __future__ import annotations

import numpy as np
import pytest

from station_plugins.lead_room.adapters.historian import Historian
from station_plugins.lead_room import reports
from tests.lead_room.helpers import SV

T0 = 1_800_000_000.0 - (1_800_000_000.0 % 900)


@pytest.fixture
def hist(tmp_path):
    h = Historian(tmp_path / "historian.db", deadbands=lambda k: 0.5, heartbeat_s=60)
    yield h
    h.close()


def sv(key, v, t, status="GOOD", reason=""):  # noqa: ANN001
    return SV(key, v, status, reason, source_ts=t, receive_ts=t)


def test_deadband_heartbeat_and_status_changes(hist):
    k = "Room01/Temperature"
    seq = [(0, 22.0), (1, 22.2), (2, 22.4), (3, 22.6), (70, 22.6), (71, 25.0)]
    hist.ingest([sv(k, v, T0 + t) for t, v in seq])
    hist.ingest([sv(k, None, T0 + 72, "BAD", "connection lost")])
    hist.ingest([sv(k, 25.1, T0 + 80)])
    hist.flush()
    s = hist.query([k], T0, T0 + 100, resolution=0)[k]
    # 0 (first), 3 (0.6 > deadband), 70 (heartbeat), 71 (change), 72 (BAD), 80 (GOOD again)
    assert s.ts.tolist() == [T0 + t for t in (0, 3, 70, 71, 72, 80)]
    assert np.isnan(s.avg[4]) and s.avg[5] == 25.1            # the gap stays a gap


def test_aggregates_use_every_value_and_resolution_choice(hist):
    k = "Room01/Boundary/POI1"
    vals = [0.1 + (i % 10) * 0.01 for i in range(3600)]
    hist.ingest([sv(k, v, T0 + i) for i, v in enumerate(vals)])
    hist.flush()
    m = hist.query([k], T0, T0 + 3599, resolution=60)[k]
    assert len(m.ts) == 60 and m.n.sum() == 3600
    assert m.avg.mean() == pytest.approx(np.mean(vals))
    assert m.vmax.max() == pytest.approx(0.19) and m.vmin.min() == pytest.approx(0.1)
    assert Historian.choose_resolution(T0, T0 + 3600, 600) == 0
    assert Historian.choose_resolution(T0, T0 + 86400, 600) == 300
    assert Historian.choose_resolution(T0, T0 + 86400, 1500) == 60
    assert Historian.choose_resolution(T0, T0 + 7 * 86400, 600) == 900


def test_weekly_dose_and_energy(hist):
    # POI1 (worker area): 0.12 background + 1.0 uSv/h for 2 h -> 2 uSv net
    # POI3 (public area): 0.12 + 3 uSv/h for 2 h -> 6 uSv > 5 uSv reference
    rows = []
    for i in range(0, 4 * 3600, 10):
        on = 3600 <= i < 3 * 3600
        rows += [sv("Room01/Boundary/POI1", 0.12 + (1.0 if on else 0.0), T0 + i),
                 sv("Room01/Boundary/POI3", 0.12 + (3.0 if on else 0.0), T0 + i),
                 sv("Room01/PowerKw", 40.0 if on else 0.6, T0 + i),
                 sv("Room01/Temperature", 23.0, T0 + i)]
    hist.ingest(rows)
    hist.flush()
    dose = {p.key: p for p in reports.weekly_dose(
        hist, ["Room01/Boundary/POI1", "Room01/Boundary/POI3"], T0)}
    assert dose["Room01/Boundary/POI1"].dose_usv == pytest.approx(2.0, rel=0.02)
    assert dose["Room01/Boundary/POI1"].area == "worker"
    p3 = dose["Room01/Boundary/POI3"]
    assert p3.dose_usv == pytest.approx(6.0, rel=0.02) and p3.reference_usv == 5.0
    assert p3.verdict == "FAIL"            # over the public reference even with gaps
    assert p3.coverage < 0.05
    (e,) = reports.room_energy(hist, ["Room01"], T0, T0 + 4 * 3600)
    assert e.kwh == pytest.approx(80 + 0.6 * 2, rel=0.02)
    assert e.standby_kwh == pytest.approx(1.2, rel=0.05)
    assert e.recoverable_heat_kwh == pytest.approx(e.kwh * 0.6)


def test_retention_prunes_each_level_after_its_own_time(tmp_path):
    """The historian no longer grows without limit: raw samples go after raw_days, the
    1-minute buckets after minute_days, while the 15-minute trend of the same period stays."""
    from station_plugins.lead_room.adapters.historian import Retention

    h = Historian(tmp_path / "h.db", retention=Retention(raw_days=1, minute_days=2,
                                                         five_min_days=3, fifteen_min_days=30))
    k = "Room01/Temperature"
    day = 86400.0
    for age_days in (10, 2.5, 1.5, 0.5):         # one sample at each age
        h.ingest([sv(k, 20.0 + age_days, T0 - age_days * day)])
    h.flush()
    assert h.count_samples() == 4
    deleted = h.prune(now_ts=T0)
    assert deleted["raw"] == 3 and h.count_samples() == 1           # only the 0.5-day one
    assert deleted["agg_60"] == 2 and deleted["agg_300"] == 1 and deleted["agg_900"] == 0
    trend = h.query([k], T0 - 11 * day, T0, resolution=900)[k]
    assert len(trend.ts) == 4                                       # the long trend survives
    assert h.prune(now_ts=T0) == {"raw": 0, "agg_60": 0, "agg_300": 0, "agg_900": 0}
    h.close()


def test_retention_settings_are_validated():
    from station_plugins.lead_room.adapters.historian import Retention

    r = Retention.from_settings({"historian_raw_days": 30})
    assert r.raw_days == 30 and r.fifteen_min_days == 3650
    with pytest.raises(ValueError, match="positive"):
        Retention(raw_days=0)
