"""STAGE 1: a report file -> a ``Report`` record tree.

Reading is split in two so that every file format shares one interpretation:

1. a *reader* turns bytes into a ``Grid``: rows of cell texts, each with its source line
   (``READERS``, keyed by file suffix: text/TSV, CSV, XLSX, HTML ``<table>``);
2. ``table.read_report`` interprets the grid: header row, page headers, process-level
   banners, continuation rows, column shifts, targets, footer.

Adding a format means one reader function and one line in ``READERS``.
"""
