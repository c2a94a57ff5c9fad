"""Notifications to team members: in the app, live, and by mail, as each person prefers."""
