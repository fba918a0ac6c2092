"""The `hotspot` command line: thin shells over workflow.commands."""
