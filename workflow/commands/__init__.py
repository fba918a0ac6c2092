"""The commands a facilitator (or an automatic step) can give; CLI and web both call these."""
