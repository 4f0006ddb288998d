"""What people read after a build: the load report, the run summary, the exports."""
