"""`shopassist bench load`: concurrent simulated shoppers against the real HTTP API.

scripts.py  what shoppers say (search, follow-ups, support, cart, Chinese)
client.py   one asyncio shopper per visitor: SSE turns and cart adds, timed
stats.py    percentiles, the summary dict, RSS flatness
server.py   the API in a uvicorn subprocess on 127.0.0.1 (paced fake LLM or the embedded model)
bench.py    orchestration: start the server, run, sweep, soak, stop
report.py   the human-readable report
"""
