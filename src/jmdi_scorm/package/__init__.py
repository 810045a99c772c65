"""Writing packages: deterministic zips, and the safety audit of what goes into them."""
