"""Services of the workorders workflow."""
