"""Code behind the course *Technical Product Management, hands-on*.

Notebooks import small, tested helpers from here instead of carrying long
code of their own, so a learner reads the idea in the notebook and the
mechanics live in one place that the test suite covers.
"""

import sys

__version__ = "0.1.0"

# nbformat validates notebooks with jsonschema, whose format checkers import the
# optional package rfc3987-syntax when it is installed (JupyterLab's jupyter-events
# pulls it in) and build its Earley parser at import: 3 to 4 seconds in every
# process that reads a notebook (each graded submission's runner, the checker,
# every test worker). No notebook schema uses the IRI formats it checks, so the
# course's processes go without it: jsonschema then simply skips those formats.
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]  # None marks a module as absent
