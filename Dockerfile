# Airbyte Python connector image for source-skoot-athena.
# The base image is the one pinned in metadata.yaml (data.connectorBuildOptions.baseImage); keep them equal
# (integration_tests/test_packaging.py checks it).
ARG BASE_IMAGE=docker.io/airbyte/python-connector-base:4.0.2@sha256:9fdb1888c4264cf6fee473649ecb593f56f58e5d0096a87ee0b231777e2e3e73
FROM ${BASE_IMAGE}

WORKDIR /airbyte/integration_code

# Only what the package needs: no tests, no local AWS stand-in, no benchmarks.
COPY setup.py ./
COPY main.py ./
COPY source_skoot_athena ./source_skoot_athena

# Runtime dependencies only (no `[tests]` extra).
RUN pip install --no-cache-dir .
# main.py imports the package from this directory (the script's own), whose files root owns: the non-root user
# below could not write their bytecode, so every run would compile them again (≈ 50 ms of each command's start).
RUN python -m compileall -q source_skoot_athena main.py

# The base image's non-root user (uid 1000), as in Airbyte's own Python connector template.
USER airbyte

ENV AIRBYTE_ENTRYPOINT="python /airbyte/integration_code/main.py"
ENTRYPOINT ["python", "/airbyte/integration_code/main.py"]

LABEL io.airbyte.name=skoot/source-skoot-athena
LABEL io.airbyte.version=0.1.0
