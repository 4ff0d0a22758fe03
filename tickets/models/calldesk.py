"""Models of the calldesk workflow."""
__all__: list[str] = []
