"""Stage 3, render: the files a build needs, as text — the Containerfile and its
context, unit files, sysusers, the plan label, the CI workflow. Pure: nothing is written
here (engine/context.py writes a context)."""
