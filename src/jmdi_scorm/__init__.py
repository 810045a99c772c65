"""jmdi-scorm: build SCORM, xAPI, cmi5 and web packages from a YAML + Markdown course."""

__version__ = "0.1.0"
