"""Tests of the learning-loop simulator (configurator.simulate)."""
