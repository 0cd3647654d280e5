"""The partnership: its agreement (versioned text), what a company would pay, signing up, new versions and notice."""
