"""The agent console: login, queue, take over, reply, notes, hand back, resolve (`/console`)."""
