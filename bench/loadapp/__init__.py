"""bench/load.py helpers: the tenancy-bypassing middleware of the baseline run."""
