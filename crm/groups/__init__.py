"""Working groups: waste, energy, water, communication, nature, and more."""
