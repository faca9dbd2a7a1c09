"""Transparency: the annual report of each closed cycle (editions, builds) and the members'
public report PDFs.

Imports nothing, so the PDF engine's worker processes, which load
`app.transparency.pdfengine` through this package, load nothing else of the app.
"""
