"""Importers and exporters of product models: UVL, XCSP, CLib."""
