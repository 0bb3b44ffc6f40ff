#!/usr/bin/env python3
"""Python peer of `rounds bench judge`: the same judging requests through the official `openai` package.

`rounds bench judge` starts a stand-in server that answers every chat completion after a fixed latency,
runs its own client, then this script against the same server with the same prompt, JSON schema and
JPEG. Each request sends the JPEG plus two varying trailing bytes (as Rounds does), base64-encoded as a
`data:` URL, with `response_format` json_schema, at most --in-flight at once (an asyncio semaphore over
AsyncOpenAI), and parses the verdict JSON of the answer. One request per slot warms up first (not
counted). Prints one JSON object: requests, succeeded, seconds, cpu_seconds (time.process_time of
this process), openai_version.
"""
import argparse
import asyncio
import base64
import json
import sys
import time


def build_messages(spec, image_b64):
    return [
        {"role": "system", "content": spec["system"]},
        {"role": "user", "content": [
            {"type": "image_url",
             "image_url": {"url": "data:image/jpeg;base64," + image_b64, "detail": spec["detail"]}},
            {"type": "text", "text": spec["user"]},
        ]},
    ]


async def judge(client, spec, image, i):
    data = image + bytes([i & 0xFF, (i >> 8) & 0xFF])
    response = await client.chat.completions.create(
        model=spec["model"],
        messages=build_messages(spec, base64.b64encode(data).decode("ascii")),
        max_tokens=spec["max_tokens"],
        temperature=0,
        seed=0,
        response_format={"type": "json_schema",
                         "json_schema": {"name": spec["schema_name"], "schema": spec["schema"], "strict": True}},
    )
    answer = json.loads(response.choices[0].message.content)
    ids = {c["id"] for c in answer["criteria"] if c.get("verdict") in ("met", "not_met", "uncertain")}
    return ids == set(spec["criteria"])


async def run(client, spec, image, indices, in_flight):
    semaphore = asyncio.Semaphore(in_flight)

    async def one(i):
        async with semaphore:
            try:
                return await judge(client, spec, image, i)
            except Exception as error:  # counted as a failure, like a failed judgment on the Rounds side
                print(f"request {i}: {error}", file=sys.stderr)
                return False

    return sum(await asyncio.gather(*(one(i) for i in indices)))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--base-url", required=True)
    p.add_argument("--request", required=True, help="JSON: model, system, user, detail, max_tokens, schema_name, schema, criteria")
    p.add_argument("--image", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--in-flight", type=int, required=True)
    a = p.parse_args()
    try:
        import openai
    except ImportError:
        sys.exit("the openai package is not installed (pip install openai)")
    with open(a.request) as f:
        spec = json.load(f)
    with open(a.image, "rb") as f:
        image = f.read()
    # max_retries=0: Rounds' side also counts a failed request as failed; no proxy for loopback.
    http_client = openai.DefaultAsyncHttpxClient(trust_env=False)
    client = openai.AsyncOpenAI(base_url=a.base_url, api_key="bench-not-a-key", max_retries=0, timeout=60,
                                http_client=http_client)
    await run(client, spec, image, range(1_000_000, 1_000_000 + a.in_flight), a.in_flight)
    start, cpu_start = time.perf_counter(), time.process_time()
    succeeded = await run(client, spec, image, range(a.count), a.in_flight)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    await client.close()
    print(json.dumps({"requests": a.count, "succeeded": succeeded, "seconds": seconds, "cpu_seconds": cpu,
                      "openai_version": openai.__version__}))


if __name__ == "__main__":
    asyncio.run(main())
