"""civsim: social-assistance simulation and reporting for district civil-affairs bureaus."""

import pandas as _pd

# Text columns hold Python strings rather than pyarrow's (pandas' default when pyarrow is
# installed): the same values and dtype ("str"), but civsim's frames are many and small — a
# program's months, a district's budget lines, an export's header rows — and on those each pyarrow
# string operation costs more than its work. Measured: the fast tests use about a tenth less CPU,
# importing 100,000 households' exports 15.4 → 12.6 s; the engine at a million households the same.
_pd.set_option("mode.string_storage", "python")
