"""Neural backends: transformers and diffusers models behind one device and one model cache.

Importing this package does not import torch; each backend imports what it needs when it is
built, so the embedded defaults never pay for it.
"""
