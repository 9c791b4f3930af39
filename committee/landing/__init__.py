"""What a signed-in person sees first: the header's work entries and the landing page that
lists what waits for them, both decided by members.permissions."""
