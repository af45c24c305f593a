"""``flask notifications ...`` commands (see docs/notifications.md)."""
