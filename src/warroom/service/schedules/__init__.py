"""On-call schedules: their overrides, who is on call, calendar feeds and handoff notices."""
