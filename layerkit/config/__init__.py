"""Stage 1, config: recipes, images and catalogs read from files into frozen objects.

Types live in `recipe`, `image` and `catalog` (what later stages import); reading and
validating live in the `*_file` modules, `sections` and `load` (every problem reported at
once, each naming file and key). Nothing here runs a program. See docs/formats.md.
"""
