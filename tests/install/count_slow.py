"""A pytest plugin (``-p count_slow``) for the test of the README's recipes: after collecting, one
line saying how many tests the marker filter left out, how many of those are marked slow, and how
many of those it kept are marked slow."""

_left_out: list = []


def pytest_deselected(items):
    _left_out.extend(items)


def pytest_report_collectionfinish(config, start_path, items):
    slow = sum(1 for item in _left_out if item.get_closest_marker("slow"))
    kept = sum(1 for item in items if item.get_closest_marker("slow"))
    return f"left out: {len(_left_out)}, marked slow: {slow}; kept, marked slow: {kept}"
