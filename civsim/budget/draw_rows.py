"""The rows of the budget window's draws (mixed into :class:`civsim.budget.window.Window`): each
run's year table — or its (index, amount_yuan, person_times) — aligned on the lines the runs pay,
scaled by the draw's caseload factors (family × year) to integer fen, with the split's differences;
one draw's rows at a time, or a block's, the draws paying the same lines taken together."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .components import KINDS, fen


class DrawRows:
    """The draws' rows from their runs. The window provides ``year``, ``years``, ``sets``,
    ``split_draws``, ``caseload`` and ``families``; the indexes the rows are made on are kept
    (``_kept_positions``), as are the caseload families in order (``_families_in_order``)."""

    def _assemble(self, draws: list, xs: dict, runs: dict, scenarios=None) -> pd.DataFrame:
        """:meth:`_columns` of every draw and scenario (of ``scenarios``, names; default all), the
        draws whose runs pay the same lines taken together (the same numbers, element by
        element); in the order of :meth:`civsim.budget.window.Window.draw`."""
        parts: dict = {}
        names = [s.scenario for s in self.sets] if scenarios is None else list(scenarios)
        for scenario in names:
            alike: dict = {}
            for d in draws:
                triples = [runs[d, scenario, kind] for kind in (KINDS if d < self.split_draws else KINDS[:1])]
                alike.setdefault(tuple(id(t[0]) for t in triples), []).append((d, triples))
            for group in alike.values():
                chosen = [d for d, _ in group]
                first = group[0][1]
                index = self._union([t[0] for t in first])
                aligned = []
                for j, (at, _, _) in enumerate(first):
                    amount = np.stack([triples[j][1] for _, triples in group])
                    times = np.stack([triples[j][2] for _, triples in group])
                    aligned.append((amount, times) if at is index else self._aligned(index, at, amount, times))
                family_at, year_at = self._positions(index)
                factor = np.stack([self._matrix(xs[d]) for d in chosen])[:, family_at, year_at]
                amounts = [fen(amount * factor) for amount, _ in aligned]
                times = aligned[0][1] * factor
                years, programs = self._levels(index)
                with_split = len(first) > 1
                zero = np.zeros((len(chosen), len(index)), np.int64)
                non_recurring = amounts[0] - amounts[1] if with_split else zero
                standard = amounts[1] - amounts[2] if with_split else zero
                for i, d in enumerate(chosen):
                    parts[d, scenario] = (
                        years,
                        programs,
                        amounts[0][i],
                        times[i],
                        with_split,
                        non_recurring[i],
                        standard[i],
                    )
        order = [(d, scenario) for d in draws for scenario in names]
        pieces = [parts[key] for key in order]
        lengths = np.array([len(piece[0]) for piece in pieces], np.int64)
        columns = {
            "scenario": np.repeat(np.array([s for _, s in order], dtype=object), lengths),
            "draw": np.repeat(np.array([d for d, _ in order], np.int64), lengths),
        }
        for name, at in (("year", 0), ("program", 1), ("full", 2), ("person_times", 3)):
            columns[name] = np.concatenate([piece[at] for piece in pieces])
        columns["split"] = np.repeat(np.array([piece[4] for piece in pieces], bool), lengths)
        columns["non_recurring"] = np.concatenate([piece[5] for piece in pieces])
        columns["standard"] = np.concatenate([piece[6] for piece in pieces])
        return pd.DataFrame(columns)

    def _matrix(self, x: dict) -> np.ndarray:
        """A draw's caseload factors: family (in ``caseload`` order, then a row of ones) × year."""
        matrix = x.get("matrix")
        if matrix is None:
            if "_families_in_order" not in self.__dict__:
                self._families_in_order = list(self.caseload["family"])
            matrix = x["matrix"] = np.stack(
                [x["caseload"][f] for f in self._families_in_order] + [np.ones(len(self.years))]
            )
        return matrix

    def _table(self, d: int, x: dict, scenario: str, runs: list) -> pd.DataFrame:
        """One draw's rows of one scenario from its runs' year tables (full, and recurring and
        carried in a split draw)."""
        return self._frame([self._columns(d, x, scenario, runs)])

    def _columns(self, d: int, x: dict, scenario: str, runs: list) -> dict:
        """:meth:`_table`'s columns as arrays (many draws' rows make one frame at once); ``runs``
        are year tables or their (index, amount_yuan, person_times)."""
        runs = [
            (run.index, run["amount_yuan"].to_numpy(), run["person_times"].to_numpy())
            if isinstance(run, pd.DataFrame)
            else run
            for run in runs
        ]
        with_split = len(runs) > 1
        index = self._union([run[0] for run in runs])
        aligned = [
            (amount, times) if at is index else self._aligned(index, at, amount, times) for at, amount, times in runs
        ]
        family_at, year_at = self._positions(index)
        factor = self._matrix(x)[family_at, year_at]
        amounts = [fen(amount * factor) for amount, _ in aligned]
        zero = np.zeros(len(index), np.int64)
        return {
            "scenario": np.full(len(index), scenario, dtype=object),
            "draw": np.full(len(index), d, np.int64),
            "year": self._levels(index)[0],
            "program": self._levels(index)[1],
            "full": amounts[0],
            "person_times": aligned[0][1] * factor,
            "split": np.full(len(index), with_split),
            "non_recurring": amounts[0] - amounts[1] if with_split else zero,
            "standard": amounts[1] - amounts[2] if with_split else zero,
        }

    def _kept(self, key, make):
        """``make()``, kept by the identity of the indexes in ``key`` (the draws mostly pay the
        same lines: their year tables share a few index objects)."""
        kept = self.__dict__.setdefault("_kept_positions", {})
        ids = tuple(id(k) for k in key)
        hit = kept.get(ids)
        if hit is not None and all(a is b for a, b in zip(hit[0], key)):
            return hit[1]
        if len(kept) > 512:
            kept.clear()
        value = make()
        kept[ids] = (key, value)
        return value

    def _union(self, indexes: list) -> pd.MultiIndex:
        """The runs' indexes joined in order (the full run's lines first)."""

        def make():  # as MultiIndex.union(sort=False): the first's lines, then the others' new ones
            if all(other is indexes[0] for other in indexes[1:]):
                return indexes[0]
            cells = list(indexes[0])
            seen = set(cells)
            for other in indexes[1:]:
                for cell in other:
                    if cell not in seen:
                        seen.add(cell)
                        cells.append(cell)
            return pd.MultiIndex.from_tuples(cells, names=indexes[0].names)

        return self._kept(("union", *indexes), make) if len(indexes) > 1 else indexes[0]

    def _aligned(self, index, at, amount, times):
        """A run's columns on ``index`` (0 where it pays no such line), as ``reindex`` gives them;
        the columns of one draw, or of many (draws × lines)."""
        where = self._kept(("aligned", index, at), lambda: at.get_indexer(index))
        found = where >= 0
        pick = np.maximum(where, 0)
        return tuple(
            np.where(found, values[..., pick], 0.0) if values.shape[-1] else np.zeros(values.shape[:-1] + (len(index),))
            for values in (amount, times)
        )

    def _levels(self, index) -> tuple[np.ndarray, np.ndarray]:
        return self._kept(
            ("levels", index),
            lambda: (
                index.get_level_values("year").to_numpy(np.int64),
                index.get_level_values("program").to_numpy(object),
            ),
        )

    def _positions(self, index: pd.MultiIndex) -> tuple[np.ndarray, np.ndarray]:
        """Each (year, line) of ``index``: the row of its caseload family (the last row: none, a
        factor of 1) and its year's column in a draw's caseload factors."""
        if "_families_in_order" not in self.__dict__:
            self._families_in_order = list(self.caseload["family"])

        def make():
            row = {f: i for i, f in enumerate(self._families_in_order)}
            none = len(self._families_in_order)
            return (
                np.array([row.get(self.families.get(p, p), none) for p in index.get_level_values("program")], np.int64),
                index.get_level_values("year").to_numpy(np.int64) - self.year,
            )

        return self._kept(("positions", index), make)

    @staticmethod
    def _frame(parts: list[dict]) -> pd.DataFrame:
        """The draws' rows as one table."""
        columns = {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}
        return pd.DataFrame(columns)
