"""The read API for the municipality's other systems (/api/v1/) and the personal API tokens that open it."""
