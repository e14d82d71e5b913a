"""Reusable Qt parts with no station knowledge."""
