"""What every delivered file says about where it came from: the AI-content label, the AIGC
metadata record (GB 45438-2025), C2PA content credentials, and the image screening of
model-made pictures."""
