"""Pharos data files (phantom definitions, limit profiles, detector models, theme,
translations, lead-room alarm definitions), shipped as package data so a wheel install
finds them: ``app.paths.resources_dir()``. No code lives here."""
