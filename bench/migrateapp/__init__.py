"""Bench-only tenant app for bench/onboard.py: one small table, and (in
``migrations_pending``, selected by BENCH_PENDING_ADDFIELD=1) one pending AddField."""
