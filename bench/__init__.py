"""Benchmark harness of Holme CRM: `python -m bench` (or `make bench`); see bench/__main__.py for the options.

Pages are measured as served by gunicorn against a bare Flask route running the same queries (the floor);
new pages are added as one more entry in bench/scenarios.py and, for their floor, one route in bench/floor.py.
"""
