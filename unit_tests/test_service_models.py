"""botocore's model files parsed with orjson (service_models.py) give botocore exactly the data its own loader gives,
for every file a run of the connector loads, and in the same key order."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import botocore.exceptions
import botocore.loaders
import botocore.session
import pytest

from source_skoot_athena.service_models import FastJSONFileLoader, FastLoader, parse_models_fast

SERVICES = ("athena", "glue", "s3", "sts")  # every client the connector makes (aws.py, credentials.py)
TYPES = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")
SHARED = ("endpoints", "partitions", "sdk-default-configuration", "_retry")


def stock_and_fast(name: str) -> tuple[Any, Any]:
    stock, fast = botocore.loaders.Loader(), botocore.loaders.Loader(file_loader=FastJSONFileLoader())
    return stock.load_data(name), fast.load_data(name)


def keys_in_order(data: Any) -> Any:
    """The data with every object as a list of (key, value) pairs: == then also compares key order."""
    if isinstance(data, dict):
        return [(key, keys_in_order(value)) for key, value in data.items()]
    if isinstance(data, list):
        return [keys_in_order(item) for item in data]
    return data


@pytest.mark.parametrize("name", SHARED)
def test_shared_files_load_the_same(name: str) -> None:
    stock, fast = stock_and_fast(name)
    assert keys_in_order(fast) == keys_in_order(stock)


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("type_name", TYPES)
def test_each_services_files_load_the_same(service: str, type_name: str) -> None:
    loader = botocore.loaders.Loader()
    version = loader.determine_latest_version(service, "service-2")
    path = f"{service}/{version}/{type_name}"
    if not loader.file_loader.exists(str(Path(loader.search_paths[-1]) / path)) and type_name == "waiters-2":
        pytest.skip(f"{service} has no waiters")
    stock, fast = stock_and_fast(path)
    assert keys_in_order(fast) == keys_in_order(stock)


def test_a_missing_file_is_none_as_in_botocore(tmp_path: Path) -> None:
    assert FastJSONFileLoader().load_file(str(tmp_path / "nothing")) is None


def test_a_session_made_to_use_it_makes_working_clients() -> None:
    session = botocore.session.get_session()
    parse_models_fast(session)
    assert isinstance(session.get_component("data_loader").file_loader, FastJSONFileLoader)
    assert session.get_component("data_loader").search_paths == botocore.loaders.Loader().search_paths
    client = session.create_client("athena", region_name="ap-south-1", aws_access_key_id="A", aws_secret_access_key="B")
    assert client.meta.service_model.operation_model("StartQueryExecution").input_shape.required_members == [
        "QueryString"
    ]


@pytest.mark.parametrize("type_name", ["service-2", "endpoint-rule-set-1", "waiters-2"])
def test_the_fast_loader_knows_the_same_services_as_botocores(type_name: str) -> None:
    stock = botocore.loaders.Loader()
    fast = FastLoader(stock.search_paths)
    known = stock.list_available_services(type_name)
    assert list(fast.list_available_services(type_name)) == known
    assert all((name in fast.list_available_services(type_name)) == (name in known) for name in SERVICES)
    assert all(name in FastLoader(stock.search_paths).list_available_services(type_name) for name in known)
    missing = [n for n in os.listdir(stock.search_paths[-1]) if n not in known and not n.startswith(("_", "."))]
    assert not any(name in FastLoader(stock.search_paths).list_available_services(type_name) for name in missing)
    assert "no-such-service" not in fast.list_available_services(type_name)


def test_an_unknown_service_is_still_botocores_error() -> None:
    session = botocore.session.get_session()
    parse_models_fast(session)
    assert isinstance(session.get_component("data_loader"), FastLoader)
    with pytest.raises(botocore.exceptions.UnknownServiceError, match="Unknown service: 'athenas'"):
        session.create_client("athenas", region_name="ap-south-1")
