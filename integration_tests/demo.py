"""`make demo`: the connector's four verbs against the local Athena demo data, with a readable summary.

Starts the local Athena stand-in (moto + DuckDB on 127.0.0.1), loads the setup guide's demo (workgroup `skoot`,
Glue database `entertainment`), then runs `spec`, `check`, `discover` and `read` through the command line exactly
as Airbyte would, and prints what each said.
"""

from __future__ import annotations

import collections
import json
import sys
import time

from integration_tests.connector import DEMO_CONFIG, configured_catalog, run_connector
from local_athena import LocalAthena


def main() -> int:
    started = time.monotonic()
    with LocalAthena() as athena:
        athena.load_demo()
        env = athena.env()
        print(f"Local Athena stand-in at {athena.url} (region {athena.region}), demo data loaded.\n")

        spec = run_connector("spec", env)
        fields = spec.of_type("SPEC")[0]["spec"]["connectionSpecification"]["properties"]
        ordered = sorted(fields.items(), key=lambda item: item[1].get("order", 99))
        print("spec: the connection form has", ", ".join(f"'{v['title']}'" for _, v in ordered))

        check = run_connector("check", env, config=DEMO_CONFIG)
        status = check.connection_status
        print(f"check: {status['status']}{' - ' + status.get('message', '') if status.get('message') else ''}")
        if status["status"] != "SUCCEEDED":
            return 1

        discover = run_connector("discover", env, config=DEMO_CONFIG)
        catalog = discover.of_type("CATALOG")[0]["catalog"]
        print(f"discover: {len(catalog['streams'])} streams")
        for stream in catalog["streams"]:
            columns = stream["json_schema"]["properties"]
            print(f"  {stream['namespace']}.{stream['name']}: {len(columns)} columns ({', '.join(list(columns)[:6])}…)")

        read = run_connector("read", env, config=DEMO_CONFIG, catalog=configured_catalog(catalog))
        counts = collections.Counter(f"{r.get('namespace')}.{r['stream']}" for r in read.records)
        print(f"read: exit code {read.returncode}, {len(read.records)} records, {len(read.states)} state messages")
        for name, count in sorted(counts.items()):
            print(f"  {name}: {count} records")
        for line in read.logs:
            if "slice" in line or "Read path" in line:
                print(f"  log: {line}")
        if read.records:
            print("  first record:", json.dumps(read.records[0]["data"], ensure_ascii=False)[:400])
        for error in read.errors:
            print("  error:", error["message"])
        print(f"\nDemo finished in {time.monotonic() - started:.1f}s.")
        return 0 if read.returncode == 0 and not read.errors else 1


if __name__ == "__main__":
    sys.exit(main())
