"""Filtersets of the two workflows: calldesk.py (call desk) and workorders.py (counter)."""
