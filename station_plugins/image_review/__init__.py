"""Image review station: AI image check of CT phantom slices and the reviewer queue."""
