"""Views of the workorders workflow."""
