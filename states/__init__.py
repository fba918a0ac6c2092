"""The hotspot-monitor procedure itself: phases, rules and the state machine. No I/O here."""
