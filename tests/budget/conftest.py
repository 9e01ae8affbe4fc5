import contextlib

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def food_up():
    """``with food_up(window, draws) as run: together, one_by_one = run(n)``: the draws in ``draws`` see
    food prices 20 % up all window long; ``run(n)`` gives the first n draws as one block and one by one."""
    @contextlib.contextmanager
    def up(window, draws):
        inputs = window.inputs

        def hot(d):
            x = inputs(d)
            if d in draws:
                x["food"] = np.full(len(window.window.months), 20.0)
            return x
        window.inputs = hot
        try:
            yield lambda n: (window.block(range(n)), pd.concat([window.draw(d) for d in range(n)], ignore_index=True))
        finally:
            del window.inputs
    return up
