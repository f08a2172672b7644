"""Seller sides of MEF's SONATA/CANTATA product APIs, with per-buyer resources and hub notifications."""
