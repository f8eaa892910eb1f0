"""Project-wide test configuration. App-specific fixtures live in each tests/<app>/conftest.py."""
