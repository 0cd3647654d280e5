"""The exchange area's models (listings and cases add theirs in their own modules, imported by crm.models)."""
