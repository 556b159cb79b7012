"""Incidents: declaring and running one, reading it, the acknowledgement links that answer
its pages, and the import of past ones."""
