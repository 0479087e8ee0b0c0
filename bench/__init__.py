"""Benchmarks (not part of the application; never imported by src/, shared/ or tenants/)."""
