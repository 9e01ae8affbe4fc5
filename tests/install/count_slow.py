"""A pytest plugin (``-p count_slow``) for the test of the README's recipes: after collecting, one
line saying how many of the collected tests are marked slow."""


def pytest_report_collectionfinish(config, start_path, items):
    return f"marked slow: {sum(1 for item in items if item.get_closest_marker('slow'))}"
