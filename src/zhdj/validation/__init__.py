"""Checks of free input shared by every app (public and county schemas)."""
