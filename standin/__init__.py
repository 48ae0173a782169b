"""The stand-in world, apart from the product: what the tests, the demo and the
benchmarks build and run layerkit against (docs/testing.md)."""
