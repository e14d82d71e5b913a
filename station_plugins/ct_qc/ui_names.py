"""The names moved to :mod:`app.ct.names` (image review shows the same names); this
module keeps CT QC's imports working."""
from app.ct.names import (GROUPS, PARTS, PHANTOMS, artifact_name,  # noqa: F401
                          measurement_name, part_name, phantom_name)
