"""The company portal: a company's own people RSVP, read minutes and keep their company's details right."""
