"""The register of companies on Avedøre Holme."""
