"""Stage 4, tools: the external programs layerkit drives (buildah, skopeo, git, rpm),
each through the one subprocess wrapper in `run`."""

# --debug: print every command before it runs (kept here, not in `run`, so the command
# line can set it without importing subprocess)
DEBUG = False
