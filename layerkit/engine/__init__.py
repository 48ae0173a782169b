"""Stage 6, engine: builds, pushes and publishes — resolve versions, write the context,
run buildah, re-chunk, tag and push; mirror or build the base. Nothing moves on failure."""
