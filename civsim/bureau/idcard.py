"""身份证号 (GB 11643-1999 citizen identity numbers), vectorised over a column: the old 15-digit
numbers upgraded, format, check digit, birth date and sex; and the salted hash that replaces
them in the roll.

The number itself is never put in a message: callers report the row and column only.
"""

from __future__ import annotations

import hmac

import numpy as np
import pandas as pd

WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
CHECK = np.frombuffer(b"10X98765432", dtype=np.uint8)  # check character for sum mod 11


def check_digit(first17: str) -> str:
    """The GB 11643 check character of 17 digits."""
    total = sum(int(c) * int(w) for c, w in zip(first17, WEIGHTS))
    return chr(CHECK[total % 11])


def upgraded(ids: pd.Series) -> pd.Series:
    """15-digit numbers (issued before 1999) as 18 characters, per GB 11643: "19" before the
    two-digit birth year and the check character after; other values unchanged."""
    old = (ids.str.len() == 15).to_numpy(bool, copy=True) if len(ids) else np.zeros(0, bool)
    old[old] = ids[old].str.fullmatch(r"\d{15}").fillna(False).to_numpy(bool)
    if not old.any():
        return ids
    first17 = (ids[old].str.slice(0, 6) + "19" + ids[old].str.slice(6)).to_numpy(dtype=str)
    digits = np.frombuffer("".join(first17).encode("ascii"), dtype=np.uint8).reshape(-1, 17) - ord("0")
    check = CHECK[(digits.astype(np.int64) @ WEIGHTS) % 11].view("S1").astype(str)
    out = ids.copy()
    out[old] = np.char.add(first17, check)
    return out


def validate(ids: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Problems per row (an array of '' for a good number, else a short reason) and, for the good
    ones, ``birth`` (datetime64) and ``sex`` ("m"/"f"). ``ids`` must be normalised text."""
    n = len(ids)
    problem = np.full(n, "", dtype=object)
    arrow = ids.astype("string[pyarrow]")  # Arrow's string kernels, not a Python loop
    shaped = arrow.str.fullmatch(r"\d{17}[\dX]").fillna(False).to_numpy(bool)
    problem[~shaped] = "not 18 characters of 17 digits and a digit or X"
    codes = np.frombuffer("".join(ids[shaped]).encode("ascii"), dtype=np.uint8).reshape(-1, 18)
    digits = (codes[:, :17] - ord("0")).astype(np.int64)
    expected = CHECK[(digits @ WEIGHTS) % 11]
    bad_check = np.zeros(n, bool)
    bad_check[np.flatnonzero(shaped)] = expected != codes[:, 17]
    problem[bad_check] = "bad check digit"
    birth = pd.to_datetime(arrow.str.slice(6, 14).astype(object), format="%Y%m%d", errors="coerce").to_numpy()
    bad_birth = shaped & ~bad_check & (np.isnat(birth) | (birth < np.datetime64("1880-01-01")))
    problem[bad_birth] = "bad birth date in characters 7-14"
    sex_digit = pd.to_numeric(arrow.str.slice(16, 17).astype(object), errors="coerce").fillna(0).to_numpy(np.int64)
    sex = np.where(sex_digit % 2 == 1, "m", "f")
    return problem, pd.DataFrame({"birth": birth, "sex": sex}, index=ids.index)


ALPHABET = np.frombuffer(b"abcdefghijklmnopqrstuvwxyz234567", dtype=np.uint8)


def hashed(ids: pd.Series, salt: bytes) -> np.ndarray:
    """HMAC-SHA256 of each number under the salt, first 80 bits in lower-case base32 (16 letters
    and digits 2–7, so a hash never looks like a 身份证号). Without the salt it cannot be reversed
    by trying every possible number."""
    if len(ids) == 0:
        return np.zeros(0, dtype=object)
    digests = b"".join(hmac.digest(salt, i.encode("ascii"), "sha256")[:10] for i in ids)
    bits = np.unpackbits(np.frombuffer(digests, dtype=np.uint8).reshape(-1, 10), axis=1).reshape(-1, 16, 5)
    symbols = ALPHABET[bits @ np.array([16, 8, 4, 2, 1], dtype=np.uint8)]
    return np.array(symbols.view("S16").ravel().astype(str), dtype=object)
