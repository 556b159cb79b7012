"""The scheduler: claims due timers and outbox rows from the database and runs them, and
applies accepted alerts through the intake lane (`loop.Scheduler`)."""

from warroom.scheduler.loop import Scheduler, start_in_thread

__all__ = ["Scheduler", "start_in_thread"]
