"""After an incident: the post-mortem, its action items and the reminders that keep both moving."""
