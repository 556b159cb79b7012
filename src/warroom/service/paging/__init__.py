"""Paging: the escalation engine around the pure planner, and the texts of its messages."""
