"""CT image QC station: phantom definitions, measurement engine, simulator, panel.

Import-light: nothing heavy is imported here (the station plugin is discovered at start-up).
"""
