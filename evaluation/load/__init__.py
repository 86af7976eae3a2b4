"""`shopassist bench load`: concurrent simulated shoppers against the real HTTP API.

scripts.py  what shoppers say (search, follow-ups, support, cart, Chinese)
client.py   one asyncio shopper per visitor: SSE turns and cart adds, timed
stats.py    percentiles, the summary dict, RSS flatness
server.py   the API in a uvicorn subprocess on 127.0.0.1 (paced fake LLM or the embedded model); restart a worker
engines.py  throw-away PostgreSQL (initdb + pg_ctl) and Chroma (`chroma run`) servers, for the bench and the tests
stack.py    what the API stands on: SQLite or PostgreSQL, the persistent Chroma directory or a filled Chroma server
verify.py   after a run: everything acknowledged (messages, answers, cart lines) is in the database
bench.py    orchestration: start the services and the server, run, restart, sweep, soak, verify, stop
report.py   the human-readable report
"""
