"""Bench-only app: one model and one JSON view, served plain and through tenancy."""
