"""The one answer service every channel calls, and what it uses."""
