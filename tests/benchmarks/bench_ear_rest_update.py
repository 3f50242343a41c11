"""Benchmark the REST call update the ear uses to stop a prompt or move a call on, on the gateway emulator.

Run: .venv/bin/python tests/benchmarks/bench_ear_rest_update.py [--rounds 50]
Why it matters: on the `<Start><Stream>` path every answer costs one update (`Url=` to the heard webhook) and a
barge-in one more (`Twiml=` that only waits); on `<Connect><Stream>` the service would stop its own audio with
a `clear` message instead. A live call is held on the emulator (a long `<Pause>`), then updated again and again
with `Twiml=` through the service's gateway client, each time to a document that waits.
Baseline (same run, interleaved): fetching the same call (`GET`), the cheapest REST request there is.
The machine is shared and busy: say so beside the figures.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from werkzeug.wrappers import Request, Response

from dialer.emulator import run_emulator
from dialer.gateway.client import CallRequest, Gateway
from dialer.settings import Settings
from tests.serving import serving

HOLD = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="600"/></Response>'
WAIT = '<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="10"/><Pause length="600"/></Response>'


@Request.application
def service(request: Request) -> Response:
    return Response(HOLD if request.path == "/voice" else "<Response/>", mimetype="text/xml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-rest-") as tmp, serving(service) as url:
        settings = Settings(database_url=f"sqlite:///{tmp}/x.sqlite3", public_url=url, var_dir=Path(tmp))
        with run_emulator(settings, speed=1.0, data_dir=Path(tmp) / "emu", cps=100) as emu:
            settings = settings.replace(gateway_url=emu.url)
            gateway = Gateway(settings, retries=0)
            call = gateway.place_call(
                CallRequest("+8613800001111", f"{url}/voice", f"{url}/status", f"{url}/rec")
            )
            while gateway.fetch_call(call.sid).status != "in-progress":
                time.sleep(0.05)
            updates, fetches = [], []
            for _ in range(args.rounds):
                started = time.perf_counter()
                gateway.update_twiml(call.sid, WAIT)
                updates.append(time.perf_counter() - started)
                started = time.perf_counter()
                gateway.fetch_call(call.sid)
                fetches.append(time.perf_counter() - started)
            gateway.hang_up(call.sid)
    med_u, med_f = statistics.median(updates), statistics.median(fetches)
    p95_u = sorted(updates)[int(0.95 * len(updates)) - 1]
    print(f"{args.rounds} rounds on a shared, busy 2-core machine, emulator at speed 1")
    print(f"call update (Twiml=): median {med_u * 1000:.1f} ms, p95 {p95_u * 1000:.1f} ms")
    print(f"baseline call fetch (GET): median {med_f * 1000:.1f} ms; update / fetch = {med_u / med_f:.2f}x")


if __name__ == "__main__":
    main()
