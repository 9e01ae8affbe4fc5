"""Bad-input cases, bounded in time and counted per class (see conftest.py)."""
