"""The application around the procedure: persistence, audit trail, commands and the CLI."""
