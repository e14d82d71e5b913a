"""Re-export: the StatusModel is Qt-free and lives in :mod:`app.runtime.status`."""
from app.runtime.status import CHANNELS, STATES, ChannelStatus, StatusModel  # noqa: F401
