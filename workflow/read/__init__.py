"""The read side: every query the faces (web pages, JSON API, CLI) run, answered as plain data."""
