"""Package definition for source-skoot-athena (Airbyte source for AWS Athena)."""

from setuptools import find_packages, setup

MAIN_REQUIREMENTS = [
    "airbyte-cdk==7.39.1",
    "boto3>=1.40,<2",
    "pyarrow>=26,<27",  # the version the encoder and its tests run on
    "orjson>=3.10,<4",
]

# Everything the tests, the local Athena stand-in and the linters need; pinned where tests patch internals.
TEST_REQUIREMENTS = [
    "moto[server,s3,glue,athena,iam]==5.2.5",
    "werkzeug==3.1.9",  # the stand-in's keep-alive relies on run_wsgi's close and drain (local_athena/server.py)
    "duckdb==2.0.1",
    "sqlglot==30.30.0",
    "pytest>=8,<10",
    "pytest-timeout>=2.3",
    "pytest-cov==7.1.0",
    "pytest-xdist==3.8.0",  # `make test-suite` runs on both cores (-n 2, a module per worker)
    "coverage[toml]==7.17.5",  # 7.10+ measures subprocesses (`patch = ["subprocess"]` in pyproject.toml)
    "hypothesis>=6.100",
    "airbyte-protocol-models-pdv2==0.18.0",
    "ruff==0.17.6",
    "mypy==2.4.1",
]

setup(
    name="source-skoot-athena",
    version="0.1.0",
    description="Airbyte source connector for AWS Athena (Glue Data Catalog + S3).",
    author="Skoot",
    license="MIT",
    python_requires=">=3.11",
    packages=find_packages(include=["source_skoot_athena", "source_skoot_athena.*"]),
    install_requires=MAIN_REQUIREMENTS,
    package_data={"source_skoot_athena": ["spec.json"]},
    extras_require={"tests": TEST_REQUIREMENTS},
    entry_points={"console_scripts": ["source-skoot-athena=source_skoot_athena.run:run"]},
)
