"""Operant Desk: the support and maintenance desk driven by Operant's published policy."""
