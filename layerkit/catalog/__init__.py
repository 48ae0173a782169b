"""Stage 6, catalogs: package facts read from images (rpmdb), repository metadata and the
registry's releases, merged into the catalog the planner reads (docs/catalog.md)."""
