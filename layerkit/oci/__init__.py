"""Stage 5, oci: images as OCI data — layouts, reproducible layer tars, re-chunking,
the upgrade cost between images and along a repository's history, and checks of an
image's root filesystem."""
