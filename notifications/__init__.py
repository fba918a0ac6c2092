"""Outgoing mail: rendering, the outbox and its senders. Filled in by the communication issue."""
