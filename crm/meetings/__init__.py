"""Network meetings: plan, invite, RSVP, check in, minutes, action items."""
