"""Services of the calldesk workflow."""
