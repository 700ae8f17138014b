#!/usr/bin/env python3
"""Load client for bench/guard/calls.sh: CALLS concurrent simulated calls post their transcript
events to one ikiiki server over loopback (keep-alive HTTP/1.1, one connection per call), while an
SSE dashboard (sse_client, C and libcurl, a process of its own) receives the alerts. The latency
is from sending the utterance that raises a call's first alert (time.monotonic) to the dashboard
receiving that alert (CLOCK_MONOTONIC in sse_client: the same clock). Standard library only."""
import asyncio, json, sys, time

HOST, PORT, KEY, COOKIE, CALLS = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
SSE_CLIENT = sys.argv[6]
LINES = ["注文した商品がまだ届かないのですが", "ふざけるな、このバカ野郎", "返金してください",
         "殺すぞ", "ふざけるなよ、バカ"]
sent_first_abuse = {}
replied_first_abuse = {}  # POST sent → 202 received, the same utterance

async def post(reader, writer, path, body):
    data = json.dumps(body, ensure_ascii=False).encode()
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {HOST}\r\nAuthorization: Bearer {KEY}\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    body = await reader.readexactly(length)
    status = int(head.split(b" ")[1])
    if status != 202:
        raise RuntimeError(f"{path}: {status} {body[:200]!r}")

async def one_call(i, go):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    cid = f"bench-{i}"
    await go.wait()
    await post(reader, writer, f"/api/v1/calls/{cid}/events",
               {"type": "start", "caller": f"090-{i:04d}-0000", "operator": "op_a", "center": "TKY"})
    for n, text in enumerate(LINES):
        if n == 1:
            sent_first_abuse[cid] = time.monotonic()
        await post(reader, writer, f"/api/v1/calls/{cid}/events",
                   {"type": "utterance", "speaker": "customer", "text": text,
                    "start_ms": n * 3000, "end_ms": n * 3000 + 2000})
        if n == 1:
            replied_first_abuse[cid] = (time.monotonic() - sent_first_abuse[cid]) * 1000
        await asyncio.sleep(0.05)
    await post(reader, writer, f"/api/v1/calls/{cid}/events", {"type": "end"})
    writer.close()

received = {}

async def dashboard(ready, done):
    proc = await asyncio.create_subprocess_exec(
        SSE_CLIENT, f"http://{HOST}:{PORT}/api/v1/events?max_s=600", COOKIE, "600",
        stdout=asyncio.subprocess.PIPE)
    while True:
        line = await proc.stdout.readline()
        if not line:
            break
        if line.strip() == b"ready":
            ready.set()
            continue
        call, ns = line.decode().split()
        received.setdefault(call, int(ns) / 1e9)
        if done.is_set() and len(received) >= CALLS:
            break
    proc.terminate()
    await proc.wait()

def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(p * (len(v) - 1)))] if v else float("nan")

async def main():
    ready, done, go = asyncio.Event(), asyncio.Event(), asyncio.Event()
    dash = asyncio.create_task(dashboard(ready, done))
    await ready.wait()
    tasks = [asyncio.create_task(one_call(i, go)) for i in range(CALLS)]
    await asyncio.sleep(0.5)
    t0 = time.monotonic()
    go.set()
    await asyncio.gather(*tasks)
    wall = time.monotonic() - t0
    done.set()
    for _ in range(50):  # alerts still on their way
        if len(received) >= CALLS:
            break
        await asyncio.sleep(0.1)
    dash.cancel()
    try:
        await dash
    except asyncio.CancelledError:
        pass
    sse_lat = [(received[c] - t) * 1000 for c, t in sent_first_abuse.items() if c in received]
    events = CALLS * (len(LINES) + 2)
    print(f"calls {CALLS}, events {events} in {wall:.2f} s ({events / wall:.0f} events/s)")
    print(f"SSE alert latency (POST sent → SSE received): matched {len(sse_lat)}/{CALLS}, "
          f"p50 {pct(sse_lat, .5):.1f} ms, p99 {pct(sse_lat, .99):.1f} ms, max {max(sse_lat or [0]):.1f} ms")
    post_lat = list(replied_first_abuse.values())
    print(f"the same utterance's POST → 202 reply: n={len(post_lat)}, p50 {pct(post_lat, .5):.1f} ms, "
          f"p99 {pct(post_lat, .99):.1f} ms, max {max(post_lat or [0]):.1f} ms")

asyncio.run(main())
