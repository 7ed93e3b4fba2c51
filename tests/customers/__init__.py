"""Tests of customers: identity, events, consent, tiers, search and retention."""
