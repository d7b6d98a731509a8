"""The sans-IO core: every decision that needs no I/O, shared by the sync and async drivers.

Nothing in this package imports httpx or anyio.
"""
