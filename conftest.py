"""Root pytest configuration: the local Athena stand-in's fixtures are available to every test."""

pytest_plugins = ["integration_tests.local_athena.pytest_plugin"]
