"""The load test (`make load`, `python -m bench.load`): see bench/README.md, "Load"."""
