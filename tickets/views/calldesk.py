"""Views of the calldesk workflow."""
