"""`make bench` (python -m bench): the performance targets of issue 8, each measured side by
side with its baseline in the same run, against a PostgreSQL database of its own."""
