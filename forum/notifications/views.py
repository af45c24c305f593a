"""Notification pages."""
