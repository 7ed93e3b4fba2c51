"""Customers: identity across channels, interaction events, consent, value and tiers."""
