"""The provider guide's plain asyncio recipe (issue 9's yardstick): aiohttp + a semaphore of C,
one POST per invoice, every file of a folder. Run by test/bench/scale.mjs with Debian's
python3-aiohttp against the same sandbox access point as the CLI; prints one JSON line.

    python3 test/bench/recipe.py <base-url> <folder> [concurrency]
"""

import asyncio
import json
import os
import resource
import sys
import time
import uuid

import aiohttp


async def main(base_url: str, folder: str, concurrency: int) -> dict:
    started = time.perf_counter()
    names = sorted(n for n in os.listdir(folder) if n.endswith(".xml"))
    sem = asyncio.Semaphore(concurrency)
    accepted = 0
    failed = 0

    async def send(session: aiohttp.ClientSession, name: str) -> None:
        nonlocal accepted, failed
        async with sem:
            with open(os.path.join(folder, name), "rb") as f:
                body = f.read()
            async with session.post(
                f"{base_url}/api/v1/send",
                data=body,
                headers={"content-type": "application/xml", "idempotency-key": str(uuid.uuid4())},
            ) as res:
                await res.read()
                if res.status < 300:
                    accepted += 1
                else:
                    failed += 1

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(send(session, n) for n in names))
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "documents": len(names),
        "accepted": accepted,
        "failed": failed,
        "seconds": seconds,
        "cpuSeconds": usage.ru_utime + usage.ru_stime,
        "maxRssKb": usage.ru_maxrss,
    }


if __name__ == "__main__":
    url, folder = sys.argv[1], sys.argv[2]
    c = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    print(json.dumps(asyncio.run(main(url, folder, c))))
