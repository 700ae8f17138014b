#!/usr/bin/env python3
"""Load client for bench/guard/calls.sh: CALLS concurrent simulated calls post their transcript
events to one ikiiki server over loopback (keep-alive HTTP/1.1, one connection per call), while an
SSE dashboard measures the time from sending the utterance that raises a call's first alert to
receiving that alert. Standard library only."""
import asyncio, json, sys, time

HOST, PORT, KEY, COOKIE, CALLS = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
LINES = ["注文した商品がまだ届かないのですが", "ふざけるな、このバカ野郎", "返金してください",
         "殺すぞ", "ふざけるなよ、バカ"]
sent_first_abuse = {}
sse_lat = []

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
        await asyncio.sleep(0.05)
    await post(reader, writer, f"/api/v1/calls/{cid}/events", {"type": "end"})
    writer.close()

async def dashboard(ready, done):
    reader, writer = await asyncio.open_connection(HOST, PORT)
    writer.write((f"GET /api/v1/events?max_s=600 HTTP/1.1\r\nHost: {HOST}\r\nCookie: {COOKIE}\r\n\r\n").encode())
    await writer.drain()
    await reader.readuntil(b"\r\n\r\n")
    ready.set()
    buf = b""
    while not done.is_set():
        try:
            chunk = await asyncio.wait_for(reader.read(65536), 0.5)
        except asyncio.TimeoutError:
            continue
        if not chunk:
            break
        now = time.monotonic()
        buf += chunk
        while b"\n\n" in buf:
            ev, buf = buf.split(b"\n\n", 1)
            if b"event: alert" not in ev:
                continue
            # chunked framing may split lines; pull the data line out
            for line in ev.split(b"\n"):
                if line.startswith(b"data: "):
                    try:
                        a = json.loads(line[6:])
                    except ValueError:
                        continue
                    if a.get("detection") == 1 and a.get("call") in sent_first_abuse:
                        sse_lat.append((now - sent_first_abuse.pop(a["call"])) * 1000)
    writer.close()

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
    await asyncio.sleep(1.0)
    done.set()
    await dash
    events = CALLS * (len(LINES) + 2)
    print(f"calls {CALLS}, events {events} in {wall:.2f} s ({events / wall:.0f} events/s)")
    print(f"SSE alert latency (POST sent → SSE received): n={len(sse_lat)} "
          f"p50 {pct(sse_lat, .5):.1f} ms, p99 {pct(sse_lat, .99):.1f} ms, max {max(sse_lat or [0]):.1f} ms")

asyncio.run(main())
