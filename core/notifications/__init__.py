"""Notifications (提醒): what the rules tell people — expiry warnings, overdue visits, loan reminders,
commitments due. One row per recipient, idempotent by a dedupe key, read in the portal and the API."""
