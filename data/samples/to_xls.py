"""Re-save exports as old-format .xls (BIFF8), as older versions of the system export them:
``python to_xls.py FILE.xlsx… OUTDIR`` (needs ``pip install openpyxl xlwt``; not a civsim
dependency, only how the shipped .xls samples were made)."""
import datetime as dt
import sys
from pathlib import Path

import openpyxl
import xlwt

DATE = xlwt.easyxf(num_format_str="YYYY-MM-DD")

*sources, out = sys.argv[1:]
for source in map(Path, sources):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(openpyxl.load_workbook(source, read_only=True).active.iter_rows(values_only=True)):
        for c, value in enumerate(row):
            if isinstance(value, dt.datetime):
                sheet.write(r, c, value, DATE)
            elif value is not None:
                sheet.write(r, c, value)
    book.save(str(Path(out) / (source.stem + ".xls")))
