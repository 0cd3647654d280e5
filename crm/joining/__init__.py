"""Joining the network from outside: a company new to Avedøre Holme asks at /join, staff approve or decline."""
