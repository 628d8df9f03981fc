"""Deploying to a local AWS emulator: the moto server and a Lambda-like runtime image."""
