"""Reading a course: its files, YAML and Markdown, into a validated model, and the course rules."""
