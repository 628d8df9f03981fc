"""Pure planning: the build request, what it is keyed and hashed on, and its validation.

Nothing here runs Docker, a subprocess or user code, so every unit is tested without them.
"""
