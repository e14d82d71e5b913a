"""Background work: one asyncio loop thread, a task runner, one notifier."""
