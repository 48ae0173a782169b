.PHONY: demo test

# Quick start, command 1: install what is missing, then plan, build, push, bump, rebuild
# and diff the demo image on the stand-in base with a local registry.
demo:
	@command -v buildah >/dev/null && command -v mmdebstrap >/dev/null && command -v docker-registry >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah skopeo docker-registry rpm dnf createrepo-c mmdebstrap)
	python3 -m pip install -q -e '.[test]'
	python3 -m standin.demo .layerkit/demo

# Quick start, command 2: what CI runs.
test:
	bash .ci/run
