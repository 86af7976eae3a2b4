"""The embeddable widget (`/widget.js`) and the demo store page (`/demo`)."""
