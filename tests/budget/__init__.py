"""The budget's tests (civsim.budget and its document). A package, so that its conftest.py is
imported as budget.conftest rather than taking the module name `conftest` from tests/conftest.py
(which other folders import helpers from)."""
