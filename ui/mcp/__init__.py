"""The store for other AI agents: an MCP server (tools and resources over the catalog, policies, offers, cart
and orders), `/llms.txt` and a Google Merchant feed. A front end like ui/api: it talks to the assistant only
through `assistant.services.Assistant` and the API's own credential and rate-limit objects.

| module | job |
|---|---|
| `server.py` | `build_server()`: the `MCPServer`, its tools (thin) and resources |
| `catalog.py` | search, product, comparison and recommendation results |
| `shopping.py` | session, cart, offers, orders and handoff for a checked caller |
| `identity.py` | credentials (headers or environment), visitor tokens, `AgentCaller` |
| `http.py` | `/mcp` in the API app: CORS, authentication, the SDK's session manager in the lifespan |
| `stdio.py` | `run_stdio()`: the same server over stdin/stdout |
| `feeds.py` | `/llms.txt`, the merchant feed, policy markdown |
| `sources.py` | the store's profile, policies, promotions, orders and variants (one place to swap) |
| `models.py`, `money.py`, `untrusted.py` | output types, the money helper, catalog text as data |
"""
