"""Rendering the model once into the site every package is made from: pages, runtime, PDFs."""
