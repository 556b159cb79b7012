"""Chat-ops (SPEC §9): the incident's Slack war room, what is posted there, and the
`/incident` command. Nothing here talks to Slack: it queues rows in the chat outbox, which
`notify/chat_delivery.py` works through."""
