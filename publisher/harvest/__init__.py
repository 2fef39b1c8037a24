"""Harvest: fetch the reports from the institutions' transparency portals.

``client`` is the one seam to the web, ``discover`` reads a page's links, ``state`` keeps
the files and what we know of them, ``run`` puts them together and builds.
"""
