"""Models of the workorders workflow."""
__all__: list[str] = []
