"""The national-scale benchmark: a generator of a realistic inbox and the runs measured on it."""
