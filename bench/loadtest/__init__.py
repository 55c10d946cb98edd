"""The pieces of bench/load.py: batch shapes (shapes), the REST calls and result streams (api), the checks of each
batch's results (checks)."""
