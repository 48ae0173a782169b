"""Stage 4, tools: the external programs layerkit drives (buildah, skopeo, git, rpm),
each through the one subprocess wrapper in `run`."""
