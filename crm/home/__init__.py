"""The home page (dashboard), navigation, health check and fixed redirects."""
