"""The status page: what the public sees, and the announcements that go out as an
incident changes."""
