"""Root pytest configuration: the local Athena stand-in's fixtures are available to every test."""

pytest_plugins = ["local_athena.pytest_plugin"]
