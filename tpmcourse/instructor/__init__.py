"""The instructors' and maintainers' tools behind the ``tpmcourse`` command:
one module (or subpackage) per sub-command, and a CLI that only dispatches."""
