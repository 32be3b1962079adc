"""The three stages: ``tsdae``, ``mnrl`` and ``export``; each returns a :class:`StageResult`."""
