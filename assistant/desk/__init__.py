"""The agent desk: people answering shoppers from the console at /console.

| module | job |
|---|---|
| `auth` | agent accounts (scrypt-hashed passwords) and session tokens |
| `queue` | `AgentDesk`: the console's queues; take over, reply, notes, hand back, resolve |
| `handoff_rules` | when a conversation goes to a person unasked (`auto_handoff_reason`) |
| `views` | what the console shows about a conversation, and the reply it drafts |

The records are `assistant.storage`'s (`agents`, `handoffs`, `conversations`); the
conversation status moves by `assistant.storage.status.transition`.
"""
