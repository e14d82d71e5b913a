"""The ev4 evidence as trained on (frozen; see the modules' headers)."""
