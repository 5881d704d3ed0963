"""Code behind the course *Technical Product Management, hands-on*.

Notebooks import small, tested helpers from here instead of carrying long
code of their own, so a learner reads the idea in the notebook and the
mechanics live in one place that the test suite covers.
"""

__version__ = "0.1.0"
