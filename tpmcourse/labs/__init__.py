"""One module per lab: its tasks' checks, registered with tpmcourse.checks."""
