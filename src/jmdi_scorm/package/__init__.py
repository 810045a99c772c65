"""Writing packages: deterministic zips, staged writing into place, and the safety audit of what goes into them."""
