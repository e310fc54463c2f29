"""Portal authentication helpers: login rate limiting and the session user."""
