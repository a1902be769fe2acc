"""Notifications (Slack incoming webhooks) and GitHub step summaries."""
