"""Slack: the bolt app (Events API over HTTP or Socket Mode) and its pure Block Kit renderer."""
