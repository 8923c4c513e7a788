"""``python -m filmgraph``: the same as the ``filmgraph`` command."""

from .cli import main

if __name__ == "__main__":  # worker processes import this module under another name
    main()
