"""Tenancy glue: request routing, websocket routing, scoped helpers."""
