"""The lead-room station's adapters: the only modules of the station that import I/O libraries
(SQLAlchemy for the historian).
"""
