"""The shopper simulator (`shopassist simulate`): synthetic shoppers with hidden preferences and a
position-biased click model, driven through the real HTTP API on simulated days."""
