"""The connector's Docker image, built and run on this machine: a loopback-only Docker daemon, a local stand-in
for Airbyte's Python base image, and the build of the project's Dockerfile on it (issue #16)."""
