"""Moderation: approval policies, the queue, reports and the audit log."""
