"""The bureau's own 台账: the social-assistance information system's Excel exports (家庭查询 /
人员查询 per category) read into a linked household–person roll, a seeded sample of such exports,
and the check of modelled 低保 amounts against the exported ones.

Personal data (身份证号, names, phones, addresses, bank accounts) stops here: only the columns
the roll needs are read out of an export, and 身份证号 leaves as a salted hash.
"""
